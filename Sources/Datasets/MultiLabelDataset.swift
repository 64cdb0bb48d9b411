import Formats

/// A normalised multi-label dataset: dense float32 features and 0/1 labels, row-major.
public struct MultiLabelDataset: Sendable {
    public var featureNames: [String]
    public var labelNames: [String]
    /// [count, featureNames.count], row-major.
    public var features: [Float]
    /// [count, labelNames.count], row-major, each 0 or 1.
    public var labels: [UInt8]
    public var count: Int

    public init(featureNames: [String], labelNames: [String], features: [Float], labels: [UInt8], count: Int) {
        precondition(features.count == count * featureNames.count && labels.count == count * labelNames.count)
        self.featureNames = featureNames
        self.labelNames = labelNames
        self.features = features
        self.labels = labels
        self.count = count
    }

    public var featureCount: Int { featureNames.count }
    public var labelCount: Int { labelNames.count }

    /// Turns ARFF rows into features and labels.
    ///
    /// `labelAttributes` are the label columns in output order. Every other attribute becomes
    /// features, in attribute order: numeric as is, nominal `{0,1}` as the number 0/1, any other
    /// nominal one-hot (one column per declared value, named `attribute=value`). Labels must be
    /// numeric or nominal `{0,1}` with values 0/1. O(rows × attributes).
    public static func encode(_ table: ArffTable, labelAttributes: [Int], impute: ImputePolicy) throws -> MultiLabelDataset {
        let attributeCount = table.attributeCount
        let labelSet = Set(labelAttributes)
        var labelColumn = [Int](repeating: -1, count: attributeCount)
        for (column, attribute) in labelAttributes.enumerated() { labelColumn[attribute] = column }

        // Per attribute: how it maps to the output (mode), where (offset) and binary value table.
        enum Mode: UInt8 { case number, binary, oneHot, label }
        var modes: [Mode] = []
        var offsets: [Int] = []
        var binaryValue: [Float] = []  // two entries per attribute: numeric value of index 0 and 1
        var featureNames: [String] = []
        for (position, attribute) in table.attributes.enumerated() {
            let values = attribute.nominalValues
            let pair = attribute.isBinaryNominal ? values!.map { $0 == "1" ? Float(1) : 0 } : [0, 1]
            binaryValue.append(contentsOf: pair)
            if labelSet.contains(position) {
                if values != nil && !attribute.isBinaryNominal {
                    throw DatasetError.labels(file: table.file, reason: "label attribute '\(attribute.name)' has nominal values "
                                                + "{\(values!.joined(separator: ","))}; labels must be numeric or {0,1}")
                }
                modes.append(.label)
                offsets.append(labelColumn[position])
            } else if values == nil {
                modes.append(.number)
                offsets.append(featureNames.count)
                featureNames.append(attribute.name)
            } else if attribute.isBinaryNominal {
                modes.append(.binary)
                offsets.append(featureNames.count)
                featureNames.append(attribute.name)
            } else {
                modes.append(.oneHot)
                offsets.append(featureNames.count)
                featureNames.append(contentsOf: values!.map { "\(attribute.name)=\($0)" })
            }
        }
        let rows = table.rowCount
        let d = featureNames.count
        let q = labelAttributes.count
        var features = [Float](repeating: 0, count: rows * d)
        var labels = [UInt8](repeating: 0, count: rows * q)
        try table.values.withUnsafeBufferPointer { source in
            try features.withUnsafeMutableBufferPointer { out in
                try labels.withUnsafeMutableBufferPointer { outLabels in
                    for row in 0..<rows {
                        let input = row * attributeCount
                        for attribute in 0..<attributeCount {
                            let value = source[input + attribute]
                            let offset = offsets[attribute]
                            if value.isNaN {
                                if modes[attribute] == .label || impute == .error {
                                    let (file, line) = table.location(ofRow: row)
                                    let what = modes[attribute] == .label ? "label" : "feature"
                                    let fix = modes[attribute] == .label ? "labels cannot be imputed" : "rerun with --impute zero to replace missing features by 0"
                                    throw DatasetError.arff(file: file, line: line,
                                                            reason: "missing value '?' for \(what) '\(table.attributes[attribute].name)'; \(fix)")
                                }
                                continue
                            }
                            switch modes[attribute] {
                            case .number:
                                out[row * d + offset] = value
                            case .binary:
                                out[row * d + offset] = binaryValue[2 * attribute + Int(value)]
                            case .oneHot:
                                out[row * d + offset + Int(value)] = 1
                            case .label:
                                let number = table.attributes[attribute].isBinaryNominal ? binaryValue[2 * attribute + Int(value)] : value
                                guard number == 0 || number == 1 else {
                                    let (file, line) = table.location(ofRow: row)
                                    throw DatasetError.arff(file: file, line: line,
                                                            reason: "label '\(table.attributes[attribute].name)' has value \(value); labels must be 0 or 1")
                                }
                                outLabels[row * q + offset] = UInt8(number)
                            }
                        }
                    }
                }
            }
        }
        let labelNames = labelAttributes.map { table.attributes[$0].name }
        return MultiLabelDataset(featureNames: featureNames, labelNames: labelNames, features: features, labels: labels, count: rows)
    }
}
