/// The protocol-buffers wire format, as far as the few messages of this module need it: varint
/// (wire type 0), 64-bit (1), length-delimited (2) and 32-bit (5) fields.
///
/// Why by hand rather than with swift-protobuf's generated code: the module writes a dozen small
/// messages (Event, Summary, Summary.Value, SummaryMetadata, PluginData, TensorProto,
/// TensorShapeProto, and the HParams plugin's HParamsPluginData / SessionStartInfo /
/// SessionEndInfo with google.protobuf.Value), a few fields each. Generated code would need
/// TensorFlow's and TensorBoard's `.proto` sources, which no package this project installs ships
/// (TensorBoard's wheel holds only compiled Python modules), so they and their dependency chain
/// (event → summary → histogram, tensor → resource_handle → tensor_shape, types; plugin_data → api) would be
/// vendored with the Swift generated from all of them, and the runtime library compiled in every
/// clean build; regenerating needs the `protoc-gen-swift` plugin (≈ 9.5 min to build here). The encoder
/// is checked byte for byte against the Python protobuf serialisation of the same messages (the
/// module's tests) and read back by TensorBoard itself (`scripts/check_tensorboard.py`).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    /// A varint field (int32, int64, uint64, bool, enum; negative values as ten-byte two's complement).
    mutating func varint(_ field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        append(varint: value)
    }

    /// A `double` field.
    mutating func double(_ field: Int, _ value: Double) {
        key(field, wireType: 1)
        bytes += TFRecord.littleEndianBytes(value.bitPattern)
    }

    /// A `float` field.
    mutating func float(_ field: Int, _ value: Float) {
        key(field, wireType: 5)
        bytes += TFRecord.littleEndianBytes(value.bitPattern)
    }

    /// A `bytes` field or an embedded message's encoding.
    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, wireType: 2)
        append(varint: UInt64(value.count))
        bytes += value
    }

    /// A `string` field (UTF-8).
    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    private mutating func key(_ field: Int, wireType: UInt64) {
        append(varint: UInt64(field) << 3 | wireType)
    }

    private mutating func append(varint value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

/// One field read from a message.
enum ProtobufField {
    case varint(UInt64)
    case fixed64(UInt64)
    case bytes(ArraySlice<UInt8>)
    case fixed32(UInt32)
}

/// Reads the fields of one encoded message in order; unknown fields are returned like known ones,
/// so callers skip what they do not use.
struct ProtobufReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// The next field number and value, or nil at the end of the message.
    mutating func next() throws(ProtobufError) -> (field: Int, value: ProtobufField)? {
        guard position < bytes.endIndex else { return nil }
        let key = try readVarint()
        let field = Int(key >> 3)
        guard field > 0 else { throw .invalid("field number 0") }
        switch key & 7 {
        case 0: return (field, .varint(try readVarint()))
        case 1: return (field, .fixed64(try readFixed(8)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - position) else { throw .invalid("field \(field) runs past the end of its message") }
            let value = bytes[position..<(position + Int(length))]
            position += Int(length)
            return (field, .bytes(value))
        case 5: return (field, .fixed32(UInt32(try readFixed(4))))
        case let wireType: throw .invalid("unsupported wire type \(wireType) of field \(field)")
        }
    }

    private mutating func readVarint() throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < bytes.endIndex else { throw .invalid("truncated varint") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return value }
        }
        throw .invalid("varint longer than ten bytes")
    }

    private mutating func readFixed(_ count: Int) throws(ProtobufError) -> UInt64 {
        guard bytes.endIndex - position >= count else { throw .invalid("truncated fixed-width field") }
        let value = (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << (8 * UInt64($1)) }
        position += count
        return value
    }
}

/// A message that does not follow the wire format or the expected field types.
enum ProtobufError: Error {
    case invalid(String)

    var reason: String {
        switch self { case let .invalid(reason): return reason }
    }
}

extension ProtobufField {
    /// The value of a `string` field.
    func string() throws(ProtobufError) -> String {
        guard case let .bytes(value) = self, let text = String(validating: value, as: UTF8.self) else { throw .invalid("expected a UTF-8 string") }
        return text
    }

    /// The contents of a `bytes` or message field.
    func data() throws(ProtobufError) -> ArraySlice<UInt8> {
        guard case let .bytes(value) = self else { throw .invalid("expected a length-delimited field") }
        return value
    }

    /// The value of a varint field.
    func integer() throws(ProtobufError) -> UInt64 {
        guard case let .varint(value) = self else { throw .invalid("expected a varint field") }
        return value
    }

    /// The value of a `double` field.
    func double() throws(ProtobufError) -> Double {
        guard case let .fixed64(value) = self else { throw .invalid("expected a 64-bit field") }
        return Double(bitPattern: value)
    }

    /// The value of a `float` field.
    func float() throws(ProtobufError) -> Float {
        guard case let .fixed32(value) = self else { throw .invalid("expected a 32-bit field") }
        return Float(bitPattern: value)
    }
}
