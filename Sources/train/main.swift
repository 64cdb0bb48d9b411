import ArgumentParser
import StageCommands

StageCommand<TrainProgram>.main()
