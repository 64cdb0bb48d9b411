import StageCommands

TrainCommand.main()
