import ArgumentParser
import StageCommands

StageCommand<AnalyzeProgram>.main()
