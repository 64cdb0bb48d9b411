/// `tensorflow.Event` (TensorFlow's `event.proto`), with the fields event files written here use:
/// 1 `wall_time` (double, seconds since 1970), 2 `step` (int64), and one of 3 `file_version`
/// (string) or 5 `summary` (a `tensorflow.Summary`: repeated `Value value = 1`).
public struct Event: Equatable, Sendable {
    public var wallTime: Double
    public var step: Int64
    /// Set only in the first event of a file: `brain.Event:2`.
    public var fileVersion: String?
    /// The summary's values; nil for an event without a summary.
    public var summary: [SummaryValue]?

    public init(wallTime: Double, step: Int64, fileVersion: String? = nil, summary: [SummaryValue]? = nil) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.summary = summary
    }

    /// The file version TensorBoard expects in the first event; version 2 makes its loaders keep
    /// out-of-order steps instead of purging them.
    public static let currentFileVersion = "brain.Event:2"

    /// The serialised message (proto3: fields holding their default value are left out).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        if wallTime != 0 { writer.double(1, wallTime) }
        if step != 0 { writer.varint(2, UInt64(bitPattern: step)) }
        if let fileVersion { writer.string(3, fileVersion) }
        if let summary {
            var values = ProtobufWriter()
            for value in summary { values.bytes(1, value.encoded()) }
            writer.bytes(5, values.bytes)
        }
        return writer.bytes
    }

    /// Decodes a serialised event; fields other than the ones above are skipped.
    init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        self.init(wallTime: 0, step: 0)
        var reader = ProtobufReader(bytes)
        while let (field, value) = try reader.next() {
            switch field {
            case 1: wallTime = try value.double()
            case 2: step = Int64(bitPattern: try value.integer())
            case 3: fileVersion = try value.string()
            case 5:
                var values: [SummaryValue] = []
                var summaryReader = ProtobufReader(try value.data())
                while let (summaryField, item) = try summaryReader.next() {
                    if summaryField == 1 { values.append(try SummaryValue(decoding: try item.data())) }
                }
                summary = values
            default: continue
            }
        }
    }
}

/// `tensorflow.Summary.Value` (TensorFlow's `summary.proto`): 1 `tag`, and either 2
/// `simple_value` (float, a scalar) or 8 `tensor` (a `TensorProto`), with 9 `metadata` (a
/// `SummaryMetadata` whose field 1 `plugin_data` names the TensorBoard plugin that reads it).
public struct SummaryValue: Equatable, Sendable {
    public var tag: String
    public var simpleValue: Float?
    public var tensor: TensorValue?
    public var plugin: PluginData?

    public init(tag: String, simpleValue: Float? = nil, tensor: TensorValue? = nil, plugin: PluginData? = nil) {
        self.tag = tag
        self.simpleValue = simpleValue
        self.tensor = tensor
        self.plugin = plugin
    }

    /// A scalar, shown by TensorBoard's scalars dashboard.
    public static func scalar(_ tag: String, _ value: Float) -> SummaryValue {
        SummaryValue(tag: tag, simpleValue: value)
    }

    /// A text summary (Markdown), shown by TensorBoard's text dashboard: a scalar string tensor
    /// read by the `text` plugin (its plugin content, `TextPluginData` version 0, is empty).
    public static func text(_ tag: String, _ markdown: String) -> SummaryValue {
        SummaryValue(tag: tag, tensor: TensorValue(dataType: .string, shape: [], strings: [Array(markdown.utf8)]),
                     plugin: PluginData(name: "text", content: []))
    }

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.string(1, tag)
        if let simpleValue { writer.float(2, simpleValue) }  // in a oneof: written even when 0
        if let tensor { writer.bytes(8, tensor.encoded()) }
        if let plugin {
            var metadata = ProtobufWriter()
            metadata.bytes(1, plugin.encoded())
            writer.bytes(9, metadata.bytes)
        }
        return writer.bytes
    }

    init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        self.init(tag: "")
        var reader = ProtobufReader(bytes)
        while let (field, value) = try reader.next() {
            switch field {
            case 1: tag = try value.string()
            case 2: simpleValue = try value.float()
            case 8: tensor = try TensorValue(decoding: try value.data())
            case 9:
                var metadata = ProtobufReader(try value.data())
                while let (metadataField, item) = try metadata.next() {
                    if metadataField == 1 { plugin = try PluginData(decoding: try item.data()) }
                }
            default: continue
            }
        }
    }
}

/// `SummaryMetadata.PluginData`: 1 `plugin_name`, 2 `content` (the plugin's own serialised message).
public struct PluginData: Equatable, Sendable {
    public var name: String
    public var content: [UInt8]

    public init(name: String, content: [UInt8]) {
        self.name = name
        self.content = content
    }

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        if !name.isEmpty { writer.string(1, name) }
        if !content.isEmpty { writer.bytes(2, content) }
        return writer.bytes
    }

    init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        self.init(name: "", content: [])
        var reader = ProtobufReader(bytes)
        while let (field, value) = try reader.next() {
            switch field {
            case 1: name = try value.string()
            case 2: content = Array(try value.data())
            default: continue
            }
        }
    }
}

/// `tensorflow.TensorProto` (TensorFlow's `tensor.proto`), the part string tensors and the
/// HParams plugin's empty tensor need: 1 `dtype`, 2 `tensor_shape` (a `TensorShapeProto`:
/// repeated 2 `dim`, each with 1 `size`), 8 `string_val` (repeated bytes).
public struct TensorValue: Equatable, Sendable {
    /// `tensorflow.DataType` values used here.
    public enum DataType: UInt64, Sendable {
        case float = 1
        case string = 7
    }

    public var dataType: DataType
    public var shape: [Int64]
    public var strings: [[UInt8]]

    public init(dataType: DataType, shape: [Int64], strings: [[UInt8]] = []) {
        self.dataType = dataType
        self.shape = shape
        self.strings = strings
    }

    func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.varint(1, dataType.rawValue)
        var shapeWriter = ProtobufWriter()
        for size in shape {
            var dimension = ProtobufWriter()
            if size != 0 { dimension.varint(1, UInt64(bitPattern: size)) }
            shapeWriter.bytes(2, dimension.bytes)
        }
        writer.bytes(2, shapeWriter.bytes)
        for string in strings { writer.bytes(8, string) }
        return writer.bytes
    }

    init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
        self.init(dataType: .float, shape: [])
        var reader = ProtobufReader(bytes)
        while let (field, value) = try reader.next() {
            switch field {
            case 1:
                let code = try value.integer()
                guard let type = DataType(rawValue: code) else { throw .invalid("tensor data type \(code) is not supported") }
                dataType = type
            case 2:
                var shapeReader = ProtobufReader(try value.data())
                while let (shapeField, dimension) = try shapeReader.next() {
                    guard shapeField == 2 else { continue }
                    var dimensionReader = ProtobufReader(try dimension.data())
                    var size: Int64 = 0
                    while let (dimensionField, item) = try dimensionReader.next() {
                        if dimensionField == 1 { size = Int64(bitPattern: try item.integer()) }
                    }
                    shape.append(size)
                }
            case 8: strings.append(Array(try value.data()))
            default: continue
            }
        }
    }
}
