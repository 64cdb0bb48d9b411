import StageCommands

FetchCommand.main()
