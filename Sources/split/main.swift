import ArgumentParser
import StageCommands

StageCommand<SplitProgram>.main()
