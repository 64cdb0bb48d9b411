import Artifacts
import Foundation
import NumpyIO

/// Reads a dataset from NumPy files: two `.npy` arrays (`--format npy`), the named arrays of one
/// `.npz`, or a SciPy sparse matrix saved by `scipy.sparse.save_npz` (CSR) and a labels file
/// (`--format npz`).
///
/// Features may have any numeric dtype and become float32; a value that is not finite, or
/// outside float32's range, is an error naming its row and column. Labels must be 0 or 1 (any
/// numeric or boolean dtype, or a sparse matrix of ones). Features and labels must be 2-D with
/// the same number of rows. Features and labels are named `f0…` and `l0…`.
enum NumpySource {
    /// The names of the features and labels arrays of one `.npz`: `--arrays`, or by default
    /// `features` and `labels`.
    static func arrayNames(_ arrays: [String]) -> [String] {
        arrays.isEmpty ? ["features", "labels"] : arrays
    }

    /// Reads `files` (URL and the name messages use) as `format` describes them (npy or npz).
    static func read(_ format: OwnDataLoader.Kind, files: [(url: URL, name: String)], arrays: [String]) throws -> MultiLabelDataset {
        let features: (rows: Int, columns: Int, matrix: FeatureMatrix)
        let labels: (rows: Int, columns: Int, values: [UInt8])
        if format == .npy {
            features = try denseFeatures(try array(files[0], role: "features"), name: files[0].name)
            labels = try denseLabels(try array(files[1], role: "labels"), name: files[1].name)
        } else if files.count == 1 {
            let (url, name) = files[0]
            let members = try archive(url, name: name, role: "features and labels")
            if isSparse(members) {
                throw DatasetError.content(file: name, line: 0, reason: "holds a SciPy sparse matrix, which has no labels; pass the labels "
                                           + "file as a second --data file (after this one)")
            }
            let names = arrayNames(arrays)
            let decoded = try names.map { array in
                guard let member = members[array] else {
                    throw DatasetError.content(file: name, line: 0, reason: "holds no array named '\(array)'; its arrays are "
                                               + "\(members.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")). Pass --arrays FEATURES,LABELS "
                                               + "naming the features array and the labels array")
                }
                return try decoding("\(name)[\(array)]") { try NpyFile.decode(member, path: "\(name)[\(array)]") }
            }
            features = try denseFeatures(decoded[0], name: "\(name)[\(names[0])]")
            labels = try denseLabels(decoded[1], name: "\(name)[\(names[1])]")
        } else {
            let members = try archive(files[0].url, name: files[0].name, role: "features")
            guard isSparse(members) else {
                throw DatasetError.content(file: files[0].name, line: 0, reason: "is an .npz of arrays "
                                           + "(\(members.keys.sorted().joined(separator: ", "))), not a SciPy sparse matrix: with two --data files "
                                           + "the first is the features saved by scipy.sparse.save_npz. Pass this file alone (with --arrays), or "
                                           + "two .npy files with --format npy")
            }
            let sparse = try sparseMatrix(members, name: files[0].name, role: "features")
            features = (sparse.rows, sparse.columns, .compressedRows(sparse.csr))
            labels = try labelFile(files[1])
        }
        guard features.rows == labels.rows else {
            throw DatasetError.content(file: files.last!.name, line: 0, reason: "the labels have \(labels.rows) rows but the features (\(files[0].name)) "
                                       + "have \(features.rows); row i of both must be instance i")
        }
        return MultiLabelDataset(featureNames: (0..<features.columns).map { "f\($0)" }, labelNames: (0..<labels.columns).map { "l\($0)" },
                                 features: features.matrix, labels: labels.values, count: features.rows, attributes: [])
    }

    /// A `.npy` file's array; an `.npz` is refused with the format that reads it.
    private static func array(_ file: (url: URL, name: String), role: String) throws -> NpyArray {
        guard let data = FileManager.default.contents(atPath: file.url.path) else {
            throw DatasetError.content(file: file.name, line: 0, reason: "cannot read the file")
        }
        guard data.starts(with: npyMagic) else {
            let zip = data.starts(with: zipMagic)
            throw DatasetError.content(file: file.name, line: 0, reason: "the \(role) file is not a .npy file: it begins with "
                                       + "\(ArchiveKind.excerpt(of: file.url))" + (zip ? "; an .npz is read with --format npz" : "; save it with numpy.save"))
        }
        return try decoding(file.name) { try NpyFile.decode(data, path: file.name) }
    }

    /// The `.npy` bytes of an `.npz` file's members.
    private static func archive(_ url: URL, name: String, role: String) throws -> [String: Data] {
        do {
            return try NpzFile.members(url)
        } catch let error as ArtifactError {
            let reason = if case let .malformed(_, reason) = error { reason } else { "\(error)" }
            throw DatasetError.content(file: name, line: 0, reason: "cannot read the \(role) as an .npz (\(reason)); save them with numpy.savez "
                                       + "or scipy.sparse.save_npz" + (leadingBytes(of: url).starts(with: npyMagic)
                                           ? " (this is a .npy file: two .npy files are read with --format npy)" : ""))
        }
    }

    /// The labels of the second file of a sparse npz: a `.npy` array, a SciPy sparse matrix, or
    /// an `.npz` of one array.
    private static func labelFile(_ file: (url: URL, name: String)) throws -> (rows: Int, columns: Int, values: [UInt8]) {
        guard leadingBytes(of: file.url).starts(with: zipMagic) else {
            return try denseLabels(try array(file, role: "labels"), name: file.name)
        }
        let members = try archive(file.url, name: file.name, role: "labels")
        if isSparse(members) {
            return try sparseLabels(try sparseMatrix(members, name: file.name, role: "labels"), name: file.name)
        }
        guard members.count == 1, let (array, member) = members.first else {
            throw DatasetError.content(file: file.name, line: 0, reason: "holds \(members.count) arrays "
                                       + "(\(members.keys.sorted().joined(separator: ", "))); a labels .npz must hold one array or a SciPy sparse matrix")
        }
        return try denseLabels(try decoding(file.name) { try NpyFile.decode(member, path: "\(file.name)[\(array)]") }, name: "\(file.name)[\(array)]")
    }

    private static let npyMagic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    private static let zipMagic = Array("PK".utf8)

    /// The first bytes of a file (fewer when it is shorter or unreadable).
    private static func leadingBytes(of url: URL) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: npyMagic.count)) ?? Data())
    }

    /// Rethrows a malformed-array error as a message about `name` (not the unpacked path).
    private static func decoding<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let ArtifactError.malformed(_, reason) {
            throw DatasetError.content(file: name, line: 0, reason: reason + "; save the array again with numpy")
        }
    }

    // MARK: Dense arrays

    /// The rows and columns of a 2-D array; other shapes are refused with the reshape that fixes them.
    private static func matrixShape(_ shape: [Int], name: String, role: String) throws -> (rows: Int, columns: Int) {
        guard shape.count == 2 else {
            let hint = switch (role, shape.count) {
            case ("labels", 1): "a vector of class indices is single-label data; one-hot encode it (numpy.eye(q, dtype=numpy.uint8)[y])"
            case (_, 1): "reshape a single feature with x.reshape(-1, 1)"
            case (_, 0): "save the whole matrix, not one value"
            default: "flatten each instance with x.reshape(len(x), -1)"
            }
            throw DatasetError.content(file: name, line: 0, reason: "the \(role) have shape \(shape); expected a 2-D matrix [instances, \(role)]: \(hint)")
        }
        return (shape[0], shape[1])
    }

    /// Dense features, every value a finite float32.
    private static func denseFeatures(_ array: NpyArray, name: String) throws -> (rows: Int, columns: Int, matrix: FeatureMatrix) {
        let (rows, columns) = try matrixShape(array.shape, name: name, role: "features")
        let values = array.float32Values()
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw badFeature(array.float64Values()[bad], row: bad / columns, column: bad % columns, name: name)
        }
        return (rows, columns, .dense(values))
    }

    /// Dense 0/1 labels as uint8.
    private static func denseLabels(_ array: NpyArray, name: String) throws -> (rows: Int, columns: Int, values: [UInt8]) {
        let (rows, columns) = try matrixShape(array.shape, name: name, role: "labels")
        let values: [UInt8]
        if array.dtype == .uint8 || array.dtype == .bool {
            values = array.bytes
        } else {
            values = array.float32Values().map { $0 == 0 ? 0 : $0 == 1 ? 1 : 2 }
        }
        if let bad = values.firstIndex(where: { $0 > 1 }) {
            throw badLabel(array.float64Values()[bad], row: bad / columns, column: bad % columns, name: name)
        }
        return (rows, columns, values)
    }

    private static func badFeature(_ value: Double, row: Int, column: Int, name: String) -> DatasetError {
        let problem = value.isFinite ? "is \(value), outside \(NumberText.float32Range)" : "is \(value), which is not finite"
        return .content(file: name, line: 0, reason: "the feature in row \(row), column \(column) (counting from 0) \(problem); every feature must "
                        + "be a finite float32 number: replace or rescale it before saving")
    }

    private static func badLabel(_ value: Double, row: Int, column: Int, name: String) -> DatasetError {
        let shown = value == value.rounded() && value.magnitude < 1e15 ? String(Int(value)) : "\(value)"
        return .content(file: name, line: 0, reason: "the label in row \(row), column \(column) (counting from 0) is \(shown); a label must be 0 or 1")
    }

    // MARK: SciPy sparse matrices

    /// Whether an `.npz` holds a SciPy sparse matrix (any of its layouts) rather than named arrays.
    static func isSparse(_ members: [String: Data]) -> Bool {
        members["format"] != nil || ["indptr", "indices", "data", "shape"].allSatisfy { members[$0] != nil }
    }

    /// A SciPy CSR matrix (`scipy.sparse.save_npz`; without `format`, the layout the fetch stage
    /// writes as `features-csr.npz`), checked and normalised: indices sorted within each row,
    /// explicit zeros left out, values finite float32.
    private static func sparseMatrix(_ members: [String: Data], name: String, role: String) throws -> (rows: Int, columns: Int, csr: CompressedRows) {
        let save = "scipy.sparse.save_npz(file, matrix.tocsr())"
        if let format = members["format"] {
            let text = try decoding(name) { try NpyFile.decodeString(format, path: "\(name)[format]") }
            guard text == "csr" else {
                throw DatasetError.content(file: name, line: 0, reason: "holds a SciPy sparse matrix in the '\(text)' layout; save the \(role) "
                                           + "as CSR: \(save)")
            }
        }
        func member(_ array: String) throws -> NpyArray {
            guard let data = members[array] else {
                throw DatasetError.content(file: name, line: 0, reason: "is not a SciPy CSR matrix: it has no '\(array)' array (it has "
                                           + "\(members.keys.sorted().joined(separator: ", "))); save the \(role) with \(save)")
            }
            return try decoding("\(name)[\(array)]") { try NpyFile.decode(data, path: "\(name)[\(array)]") }
        }
        let indptr = try member("indptr"), indices = try member("indices"), data = try member("data")
        let shape = try decoding("\(name)[shape]") { try member("shape").int64Values() }
        let pointers = try decoding("\(name)[indptr]") { try indptr.int64Values() }
        let columnIndices = try decoding("\(name)[indices]") { try indices.int64Values() }
        let values = data.float32Values()
        func broken(_ reason: String) -> DatasetError {
            .content(file: name, line: 0, reason: "is not a valid CSR matrix: \(reason); save the \(role) again with \(save)")
        }
        guard shape.count == 2, shape.allSatisfy({ $0 >= 0 }) else { throw broken("its shape is \(shape), not two sizes") }
        let (rows, columns) = (Int(shape[0]), Int(shape[1]))
        try DenseLimits.check(rows: rows, features: role == "features" ? columns : 1, labels: role == "labels" ? columns : 1, file: name, line: 0)
        guard pointers.count == rows + 1, pointers.first == 0, pointers.last == Int64(columnIndices.count), columnIndices.count == values.count,
              zip(pointers, pointers.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw broken("indptr (\(pointers.count) entries) does not delimit \(rows) rows of the \(columnIndices.count) indices and "
                         + "\(values.count) values")
        }
        var csr = CompressedRows()
        csr.indptr.reserveCapacity(rows + 1)
        csr.indices.reserveCapacity(values.count)
        csr.data.reserveCapacity(values.count)
        for row in 0..<rows {
            let start = csr.indices.count
            for entry in Int(pointers[row])..<Int(pointers[row + 1]) {
                let column = columnIndices[entry], value = values[entry]
                guard column >= 0, column < Int64(columns) else {
                    throw broken("row \(row) has column index \(column), outside 0..<\(columns)")
                }
                guard value.isFinite else { throw badFeature(data.float64Values()[entry], row: row, column: Int(column), name: name) }
                csr.indices.append(Int32(column))
                csr.data.append(value)
            }
            if let twice = csr.endRow(from: start) {
                throw DatasetError.content(file: name, line: 0, reason: "row \(row) (counting from 0) has column \(twice) twice, which SciPy "
                                           + "would add up; call matrix.sum_duplicates() before saving")
            }
        }
        return (rows, columns, csr)
    }

    /// The dense 0/1 labels of a sparse matrix whose stored values are 0 or 1.
    private static func sparseLabels(_ sparse: (rows: Int, columns: Int, csr: CompressedRows), name: String) throws -> (rows: Int, columns: Int, values: [UInt8]) {
        var labels = [UInt8](repeating: 0, count: sparse.rows * sparse.columns)
        for row in 0..<sparse.rows {
            for entry in sparse.csr.entries(ofRow: row) {
                let column = Int(sparse.csr.indices[entry]), value = sparse.csr.data[entry]
                guard value == 1 else { throw badLabel(Double(value), row: row, column: column, name: name) }
                labels[row * sparse.columns + column] = 1
            }
        }
        return (sparse.rows, sparse.columns, labels)
    }
}
