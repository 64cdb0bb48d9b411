import Foundation
import Testing
import TestSupport
@testable import TensorBoardEvents

@Suite struct EventFileTests {
    private func epoch(_ step: Int) -> Event {
        Event(wallTime: 100 + Double(step), step: Int64(step), summary: [.scalar("loss/train", Float(step) / 10)])
    }

    @Test func writtenEventsReadBack() throws {
        let url = TestSupport.temporaryFolder("tfevents").appendingPathComponent("events.out.tfevents.test")
        let writer = try EventFileWriter(creating: url, wallTime: 99)
        for step in 1...3 { try writer.write(epoch(step)) }
        let contents = try EventFile.read(url)
        #expect(contents.events.first == Event(wallTime: 99, step: 0, fileVersion: "brain.Event:2"))
        #expect(contents.events.dropFirst().map(\.step) == [1, 2, 3])
        #expect(contents.tornBytes == 0)
        #expect(contents.scalars.map(\.tag) == ["loss/train"])
        #expect(contents.scalars[0].points.map(\.value) == [0.1, 0.2, 0.3])
        #expect(contents.recordEnds.last == (try Data(contentsOf: url)).count)
    }

    @Test func continuingDropsLaterStepsAndATornTail() throws {
        let url = TestSupport.temporaryFolder("tfevents").appendingPathComponent("events.out.tfevents.test")
        let writer = try EventFileWriter(creating: url, wallTime: 99)
        for step in 1...5 { try writer.write(epoch(step)) }
        // A writer killed in the middle of a record leaves part of it behind.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Array(TFRecord.frame(epoch(6).encoded()).prefix(20)))
        try handle.close()
        #expect(try EventFile.read(url).tornBytes == 20)

        let continued = try #require(try EventFileWriter(continuing: url, afterStep: 3))
        #expect(continued.lastStep == 3)
        try continued.write(epoch(4))
        let contents = try EventFile.read(url)
        #expect(contents.events.map(\.step) == [0, 1, 2, 3, 4])
        #expect(contents.tornBytes == 0)
    }

    @Test func nothingToContinueGivesNil() throws {
        let folder = TestSupport.temporaryFolder("tfevents")
        #expect(try EventFileWriter(continuing: folder.appendingPathComponent("missing.tfevents"), afterStep: 1) == nil)
        let empty = folder.appendingPathComponent("empty.tfevents")
        try Data().write(to: empty)
        #expect(try EventFileWriter(continuing: empty, afterStep: 1) == nil)
    }

    @Test func corruptionIsReportedWithFileAndOffset() throws {
        let url = TestSupport.temporaryFolder("tfevents").appendingPathComponent("events.out.tfevents.test")
        let writer = try EventFileWriter(creating: url, wallTime: 99)
        try writer.write(epoch(1))
        var bytes = Array(try Data(contentsOf: url))
        let secondRecord = try EventFile.read(url).recordEnds[0]
        bytes[secondRecord + 14] ^= 0x01  // a data byte of the second record
        try Data(bytes).write(to: url)
        do {
            _ = try EventFile.read(url)
            Issue.record("a flipped data byte was not detected")
        } catch {
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("record at byte \(secondRecord)"))
            #expect(error.description.contains("CRC-32C"))
        }
    }
}
