import StageCommands

AnalyzeCommand.main()
