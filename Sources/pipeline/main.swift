import ArgumentParser

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// Line-buffer stdout so a stage's progress lines reach its log file as they are printed.
setvbuf(stdout, nil, _IOLBF, 0)
PipelineCommand.main()
