import StageCommands

SplitCommand.main()
