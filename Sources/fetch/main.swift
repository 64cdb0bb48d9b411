import ArgumentParser
import StageCommands

StageCommand<FetchProgram>.main()
