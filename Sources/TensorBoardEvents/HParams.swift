/// Summaries of TensorBoard's HParams plugin (`plugin_data.proto` of the plugin), which fill its
/// table of runs: one `session_start_info` per run with the run's hyper-parameters, and a
/// `session_end_info` when the run ends. The plugin takes the table's metric columns from the
/// run's scalar tags, so no `experiment` summary is written.
///
/// Each is a summary value whose metadata names the plugin `hparams` and whose plugin content is
/// an `HParamsPluginData` (1 `version` = 0, 3 `session_start_info`, 4 `session_end_info`); the
/// value's tensor is the plugin's empty float tensor (shape [0]).
public enum HParams {
    /// A hyper-parameter value (`google.protobuf.Value`: 2 `number_value`, 3 `string_value`, 4 `bool_value`).
    public enum Value: Equatable, Sendable {
        case number(Double)
        case string(String)
        case bool(Bool)

        /// A number when `text` parses as a finite number, else the string itself.
        public init(parsing text: String) {
            if let number = Double(text), number.isFinite { self = .number(number) } else { self = .string(text) }
        }

        func encoded() -> [UInt8] {
            var writer = ProtobufWriter()
            switch self {
            case let .number(value): writer.double(2, value)
            case let .string(value): writer.string(3, value)
            case let .bool(value): writer.varint(4, value ? 1 : 0)
            }
            return writer.bytes
        }

        init(decoding bytes: ArraySlice<UInt8>) throws(ProtobufError) {
            var reader = ProtobufReader(bytes)
            var value: Value?
            while let (field, item) = try reader.next() {
                switch field {
                case 2: value = .number(try item.double())
                case 3: value = .string(try item.string())
                case 4: value = .bool(try item.integer() != 0)
                default: continue
                }
            }
            guard let value else { throw .invalid("hyper-parameter value is neither a number, a string nor a bool") }
            self = value
        }
    }

    /// How a session ended (`tensorboard.hparams.Status`).
    public enum Status: UInt64, Sendable {
        case unknown = 0, success = 1, failure = 2, running = 3
    }

    public static let sessionStartTag = "_hparams_/session_start_info"
    public static let sessionEndTag = "_hparams_/session_end_info"
    static let pluginName = "hparams"

    /// The `session_start_info` summary: `SessionStartInfo` with 1 `hparams` (a map, written as
    /// entries {1 key, 2 value} sorted by key) and 5 `start_time_secs`.
    public static func sessionStart(_ hyperParameters: [String: Value], startTime: Double) -> SummaryValue {
        var info = ProtobufWriter()
        for key in hyperParameters.keys.sorted() {
            var entry = ProtobufWriter()
            entry.string(1, key)
            entry.bytes(2, hyperParameters[key]!.encoded())
            info.bytes(1, entry.bytes)
        }
        if startTime != 0 { info.double(5, startTime) }
        return summary(sessionStartTag, field: 3, info.bytes)
    }

    /// The `session_end_info` summary: `SessionEndInfo` with 1 `status` and 2 `end_time_secs`.
    public static func sessionEnd(_ status: Status, endTime: Double) -> SummaryValue {
        var info = ProtobufWriter()
        if status != .unknown { info.varint(1, status.rawValue) }
        if endTime != 0 { info.double(2, endTime) }
        return summary(sessionEndTag, field: 4, info.bytes)
    }

    private static func summary(_ tag: String, field: Int, _ message: [UInt8]) -> SummaryValue {
        var data = ProtobufWriter()
        data.bytes(field, message)
        return SummaryValue(tag: tag, tensor: TensorValue(dataType: .float, shape: [0]),
                            plugin: PluginData(name: pluginName, content: data.bytes))
    }

    /// The hyper-parameters of a `session_start_info` summary value, or nil for any other value.
    static func hyperParameters(of value: SummaryValue) throws(ProtobufError) -> [String: Value]? {
        guard value.tag == sessionStartTag, let plugin = value.plugin, plugin.name == pluginName else { return nil }
        var result: [String: Value] = [:]
        var data = ProtobufReader(plugin.content[...])
        while let (field, info) = try data.next() {
            guard field == 3 else { continue }
            var start = ProtobufReader(try info.data())
            while let (startField, entry) = try start.next() {
                guard startField == 1 else { continue }
                var entryReader = ProtobufReader(try entry.data())
                var key = "", item = Value.string("")
                while let (entryField, part) = try entryReader.next() {
                    if entryField == 1 { key = try part.string() }
                    if entryField == 2 { item = try Value(decoding: try part.data()) }
                }
                result[key] = item
            }
        }
        return result
    }
}
