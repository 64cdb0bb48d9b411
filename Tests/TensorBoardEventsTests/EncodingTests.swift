import Foundation
import Testing
@testable import TensorBoardEvents

/// Hex of `bytes`, for comparing with the reference serialisations below.
private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// The messages against serialisations by the Python `protobuf` package with TensorBoard 2.21's
/// compiled messages (`event_pb2`, `summary_pb2`, `plugin_data_pb2`; `SerializeToString(deterministic=True)`),
/// and the record framing against TensorBoard's `RecordWriter`.
@Suite struct EncodingTests {
    @Test func crc32cMatchesPublishedVectors() {
        // "123456789" is the standard check value; the 32-byte vectors are RFC 3720's (iSCSI), Appendix B.4.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map(UInt8.init)) == 0x113F_DB5C)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // TFRecord's mask: rotate right by 15, add 0xa282ead8 (TensorBoard's masked_crc32c("123456789")).
        #expect(CRC32C.masked(0xE306_9283) == 0xC78A_B0E5)
    }

    @Test func recordFramingMatchesTensorBoardsRecordWriter() {
        #expect(hex(TFRecord.frame([])) == "000000000000000029039807d8ea82a2")
        let event = Event(wallTime: 1_700_000_000.5, step: 0, fileVersion: Event.currentFileVersion)
        #expect(hex(TFRecord.frame(event.encoded()))
            == "1800000000000000a37f4b220900002040fc54d9411a0d627261696e2e4576656e743a322b353110")
    }

    @Test func eventsEncodeAsPythonProtobufDoes() {
        #expect(hex(Event(wallTime: 1_700_000_000.5, step: 0, fileVersion: "brain.Event:2").encoded())
            == "0900002040fc54d9411a0d627261696e2e4576656e743a32")
        let scalars = Event(wallTime: 1_700_000_001.25, step: 3, summary: [.scalar("loss/train", 0.125), .scalar("selection/seconds", 0)])
        #expect(hex(scalars.encoded())
            == "0900005040fc54d94110032a2d0a110a0a6c6f73732f747261696e150000003e0a180a1173656c656374696f6e2f7365636f6e64731500000000")
        #expect(hex(Event(wallTime: 0, step: -2).encoded()) == "10feffffffffffffffff01")
        // A Summary holding one text value (the Summary message is field 5 of the event).
        var summary = ProtobufWriter()
        summary.bytes(1, SummaryValue.text("parameters", "| a | b |").encoded())
        #expect(hex(summary.bytes) == "0a270a0a706172616d6574657273420f0807120042097c2061207c2062207c4a080a060a0474657874")
    }

    @Test func hparamsSummariesEncodeAsThePluginDoes() throws {
        let start = HParams.sessionStart(["selector": .string("uncertainty"), "lr": .number(1e-4), "flag": .bool(true)],
                                         startTime: 1_700_000_000.5)
        #expect(start.tag == "_hparams_/session_start_info")
        #expect(hex(try #require(start.plugin).content)
            == "1a410a0a0a04666c6167120220010a0f0a026c721209112d431cebe2361a3f0a190a0873656c6563746f72120d1a0b756e6365727461696e74792900002040fc54d941")
        #expect(hex(HParams.sessionEnd(.success, endTime: 1_700_000_100).encoded())
            == "0a1a5f68706172616d735f2f73657373696f6e5f656e645f696e666f42060801120212004a1a0a180a0768706172616d73120d220b08011100000059fc54d941")
        #expect(try HParams.hyperParameters(of: start) == ["selector": .string("uncertainty"), "lr": .number(1e-4), "flag": .bool(true)])
        #expect(try HParams.hyperParameters(of: .scalar("x", 1)) == nil)
        #expect(HParams.Value(parsing: "0.0001") == .number(1e-4))
        #expect(HParams.Value(parsing: "mi") == .string("mi"))
        #expect(HParams.Value(parsing: "nan") == .string("nan"))
    }

    @Test func eventsDecodeToWhatWasEncoded() throws {
        let events = [
            Event(wallTime: 12.5, step: 0, fileVersion: Event.currentFileVersion),
            Event(wallTime: 13, step: 7, summary: [.scalar("a/b", -0.5), .text("t", "héllo"),
                                                   HParams.sessionStart(["k": .number(2)], startTime: 3)]),
            Event(wallTime: 14, step: Int64.max, summary: []),
        ]
        for event in events {
            #expect(try Event(decoding: event.encoded()[...]) == event)
        }
    }

    @Test func decodingSkipsUnknownFieldsAndRejectsTruncation() throws {
        var writer = ProtobufWriter()
        writer.double(1, 2.5)
        writer.varint(2, 9)
        writer.string(4, "a graph_def the decoder does not read")
        writer.float(99, 1)
        let event = try Event(decoding: writer.bytes[...])
        #expect(event == Event(wallTime: 2.5, step: 9))
        #expect(throws: ProtobufError.self) { try Event(decoding: writer.bytes.dropLast()) }
    }
}
