import Formats

/// A feature matrix [count × featureCount]: dense row-major, or compressed sparse rows.
public enum FeatureMatrix: Equatable, Sendable {
    case dense([Float])
    case compressedRows(CompressedRows)

    /// The matrix as dense row-major values (O(rows × columns) memory).
    public func denseValues(columns: Int) -> [Float] {
        switch self {
        case let .dense(values): return values
        case let .compressedRows(csr): return csr.denseValues(columns: columns)
        }
    }
}

/// A normalised multi-label dataset: float32 features (dense or compressed rows) and 0/1 labels, row-major.
public struct MultiLabelDataset: Sendable {
    public var featureNames: [String]
    public var labelNames: [String]
    /// [count, featureNames.count].
    public var features: FeatureMatrix
    /// [count, labelNames.count], row-major, each 0 or 1.
    public var labels: [UInt8]
    public var count: Int
    /// How each ARFF attribute (in header order) became feature or label columns.
    public var attributes: [AttributeEncoding]

    public init(featureNames: [String], labelNames: [String], features: FeatureMatrix, labels: [UInt8], count: Int,
                attributes: [AttributeEncoding]) {
        switch features {
        case let .dense(values):
            precondition(values.count == count * featureNames.count)
        case let .compressedRows(csr):
            precondition(csr.indptr.count == count + 1 && csr.indices.count == csr.data.count)
        }
        precondition(labels.count == count * labelNames.count)
        self.featureNames = featureNames
        self.labelNames = labelNames
        self.features = features
        self.labels = labels
        self.count = count
        self.attributes = attributes
    }

    public var featureCount: Int { featureNames.count }
    public var labelCount: Int { labelNames.count }

    /// The labels (column indices) that are 1 in every row. O(count × labelCount).
    public func alwaysPositiveLabels() -> [Int] {
        guard count > 0 else { return [] }
        var positives = [Int](repeating: 0, count: labelCount)
        for row in 0..<count {
            for label in 0..<labelCount where labels[row * labelCount + label] != 0 { positives[label] += 1 }
        }
        return positives.indices.filter { positives[$0] == count }
    }

    /// One warning per label that is 1 in every row (`file` names the source in it).
    public func alwaysPositiveWarnings(file: String) -> [String] {
        alwaysPositiveLabels().map { label in
            "\(file): label '\(labelNames[label])' is positive in every one of the \(count) instances; it carries no information, "
                + "and its per-label metrics that need negatives (e.g. AUC) are undefined. Check the label definition, or remove the label from it"
        }
    }

    /// Turns ARFF rows into features and labels.
    ///
    /// `labelAttributes` are the label columns in output order; attributes in `dropped` give no
    /// column. Every other attribute becomes features, in attribute order: numeric as is, nominal
    /// `{0,1}` as the number 0/1, any other nominal one-hot (one column per declared value, named
    /// `attribute=value`). Labels must be numeric or nominal `{0,1}` with values 0/1. A dense
    /// table gives dense features, a sparse one compressed rows. Time O(rows × attributes) for
    /// dense tables, O(non-zero values) for sparse ones.
    public static func encode(_ table: ArffTable, labelAttributes: [Int], impute: ImputePolicy,
                              dropped: Set<Int> = []) throws -> MultiLabelDataset {
        let plan = try EncodingPlan(table, labelAttributes: labelAttributes, dropped: dropped)
        var labels = [UInt8](repeating: 0, count: table.rowCount * labelAttributes.count)
        let features: FeatureMatrix
        switch table.storage {
        case let .dense(values):
            features = .dense(try plan.encodeDense(values, table: table, impute: impute, labels: &labels))
        case let .sparse(rows):
            features = .compressedRows(try plan.encodeSparse(rows, table: table, impute: impute, labels: &labels))
        }
        return MultiLabelDataset(featureNames: plan.featureNames, labelNames: labelAttributes.map { table.attributes[$0].name },
                                 features: features, labels: labels, count: table.rowCount, attributes: plan.encodings)
    }
}

/// Where each attribute goes in the output, and the per-cell conversion, decided once per table.
private struct EncodingPlan {
    enum Mode: UInt8 { case number, binary, oneHot, label, dropped }
    var modes: [Mode] = []
    /// First output column (features) or label column (labels).
    var offsets: [Int] = []
    /// Two entries per attribute: the number that value index 0 and 1 stand for (binary nominal
    /// attributes; numeric labels read their value directly).
    var binaryValue: [Float] = []
    /// Per attribute: a nominal `{0,1}` label (its index is mapped through `binaryValue`).
    var nominalLabel: [Bool] = []
    /// Attributes whose value index 0 (an omitted sparse value) gives a non-zero output.
    var nonZeroDefaults: [Int] = []
    var featureNames: [String] = []
    var encodings: [AttributeEncoding] = []
    let labelCount: Int

    init(_ table: ArffTable, labelAttributes: [Int], dropped: Set<Int>) throws {
        labelCount = labelAttributes.count
        var labelColumn = [Int](repeating: -1, count: table.attributeCount)
        for (column, attribute) in labelAttributes.enumerated() { labelColumn[attribute] = column }
        for (position, attribute) in table.attributes.enumerated() {
            let values = attribute.nominalValues
            let binary = attribute.isBinaryNominal
            binaryValue.append(contentsOf: binary ? values!.map { $0 == "1" ? Float(1) : 0 } : [0, 1])
            nominalLabel.append(false)
            let encoding: AttributeEncoding.Encoding = values == nil ? .numeric : binary ? .binary : .oneHot
            if labelColumn[position] >= 0 {
                if values != nil && !binary {
                    throw DatasetError.labels(file: table.file, reason: "label attribute '\(attribute.name)' has nominal values "
                                                + "{\(values!.joined(separator: ","))}; labels must be numeric or {0,1}")
                }
                modes.append(.label)
                offsets.append(labelColumn[position])
                nominalLabel[position] = binary
                if binary && values![0] == "1" { nonZeroDefaults.append(position) }
                encodings.append(AttributeEncoding(name: attribute.name, role: .label, encoding: encoding, columns: [labelColumn[position]]))
                continue
            }
            if dropped.contains(position) {
                modes.append(.dropped)
                offsets.append(0)
                encodings.append(AttributeEncoding(name: attribute.name, role: .dropped, encoding: encoding, columns: []))
                continue
            }
            let first = featureNames.count
            switch encoding {
            case .numeric:
                modes.append(.number)
                featureNames.append(attribute.name)
            case .binary:
                modes.append(.binary)
                featureNames.append(attribute.name)
                if values![0] == "1" { nonZeroDefaults.append(position) }
            case .oneHot:
                modes.append(.oneHot)
                featureNames.append(contentsOf: values!.map { "\(attribute.name)=\($0)" })
                nonZeroDefaults.append(position)
            }
            offsets.append(first)
            encodings.append(AttributeEncoding(name: attribute.name, role: .feature, encoding: encoding, columns: Array(first..<featureNames.count)))
        }
    }

    /// The error for a `?` in `attribute` at `row`, or nil when it is imputed (0).
    private func missingValue(_ attribute: Int, row: Int, table: ArffTable, impute: ImputePolicy) -> DatasetError? {
        guard modes[attribute] == .label || impute == .error else { return nil }
        let (file, line) = table.location(ofRow: row)
        let isLabel = modes[attribute] == .label
        let fix = isLabel ? "labels cannot be imputed" : "rerun with --impute zero to replace missing features by 0"
        return .arff(file: file, line: line, reason: "missing value '?' for \(isLabel ? "label" : "feature") '\(table.attributes[attribute].name)'; \(fix)")
    }

    /// The 0/1 label of a stored value, or an error naming the row.
    @inline(__always)
    private func labelValue(_ attribute: Int, _ value: Float, row: Int, table: ArffTable) throws -> UInt8 {
        let number = nominalLabel[attribute] ? binaryValue[2 * attribute + Int(value)] : value
        guard number == 0 || number == 1 else {
            let (file, line) = table.location(ofRow: row)
            throw DatasetError.arff(file: file, line: line,
                                    reason: "label '\(table.attributes[attribute].name)' has value \(value); labels must be 0 or 1")
        }
        return UInt8(number)
    }

    func encodeDense(_ source: [Float], table: ArffTable, impute: ImputePolicy, labels: inout [UInt8]) throws -> [Float] {
        let attributeCount = table.attributeCount
        let rows = table.rowCount
        let d = featureNames.count
        let q = labelCount
        var features = [Float](repeating: 0, count: rows * d)
        let modes = self.modes, offsets = self.offsets, binaryValue = self.binaryValue
        try source.withUnsafeBufferPointer { source in
            try features.withUnsafeMutableBufferPointer { out in
                try labels.withUnsafeMutableBufferPointer { outLabels in
                    try modes.withUnsafeBufferPointer { modes in
                        try offsets.withUnsafeBufferPointer { offsets in
                            try binaryValue.withUnsafeBufferPointer { binaryValue in
                                for row in 0..<rows {
                                    let input = row * attributeCount
                                    let output = row * d
                                    for attribute in 0..<attributeCount {
                                        let mode = modes[attribute]
                                        let value = source[input + attribute]
                                        let offset = offsets[attribute]
                                        if mode == .number && !value.isNaN {
                                            out[output + offset] = value
                                            continue
                                        }
                                        if mode == .dropped { continue }
                                        if value.isNaN {
                                            if let error = missingValue(attribute, row: row, table: table, impute: impute) { throw error }
                                            continue
                                        }
                                        switch mode {
                                        case .number: out[output + offset] = value
                                        case .binary: out[output + offset] = binaryValue[2 * attribute + Int(value)]
                                        case .oneHot: out[output + offset + Int(value)] = 1
                                        case .label: outLabels[row * q + offset] = try labelValue(attribute, value, row: row, table: table)
                                        case .dropped: break
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return features
    }

    /// Compressed rows from a sparse table: each row's explicit entries merged (in attribute
    /// order) with the attributes whose omitted value is non-zero. O(non-zero values).
    func encodeSparse(_ source: CompressedRows, table: ArffTable, impute: ImputePolicy, labels: inout [UInt8]) throws -> CompressedRows {
        let rows = table.rowCount
        let q = labelCount
        var indptr: [Int64] = [0]
        var indices: [Int32] = []
        var data: [Float] = []
        indptr.reserveCapacity(rows + 1)
        indices.reserveCapacity(source.data.count + rows * nonZeroDefaults.count)
        data.reserveCapacity(source.data.count + rows * nonZeroDefaults.count)
        try labels.withUnsafeMutableBufferPointer { outLabels in
            for row in 0..<rows {
                var entry = Int(source.indptr[row])
                let rowEnd = Int(source.indptr[row + 1])
                var nextDefault = 0
                while true {
                    // The next attribute of the row: an explicit entry, or an omitted one whose value index 0 is non-zero.
                    let explicit = entry < rowEnd ? Int(source.indices[entry]) : Int.max
                    let implicit = nextDefault < nonZeroDefaults.count ? nonZeroDefaults[nextDefault] : Int.max
                    if explicit == Int.max && implicit == Int.max { break }
                    let attribute: Int
                    let value: Float
                    if explicit <= implicit {
                        (attribute, value) = (explicit, source.data[entry])
                        entry += 1
                        if implicit == explicit { nextDefault += 1 }
                    } else {
                        (attribute, value) = (implicit, 0)
                        nextDefault += 1
                    }
                    let mode = modes[attribute]
                    if mode == .dropped { continue }
                    if value.isNaN {
                        if let error = missingValue(attribute, row: row, table: table, impute: impute) { throw error }
                        continue
                    }
                    let offset = offsets[attribute]
                    switch mode {
                    case .number:
                        if value != 0 { indices.append(Int32(offset)); data.append(value) }
                    case .binary:
                        let number = binaryValue[2 * attribute + Int(value)]
                        if number != 0 { indices.append(Int32(offset)); data.append(number) }
                    case .oneHot:
                        indices.append(Int32(offset + Int(value)))
                        data.append(1)
                    case .label:
                        outLabels[row * q + offset] = try labelValue(attribute, value, row: row, table: table)
                    case .dropped:
                        break
                    }
                }
                indptr.append(Int64(indices.count))
            }
        }
        return CompressedRows(indptr: indptr, indices: indices, data: data)
    }
}
