import Foundation
import NumpyIO
import SafetensorsIO
import Tensors

/// Model parameters and optimiser state as `.npz` files with PyTorch names and shapes, and the
/// parameters as `.safetensors` for Python tools.
public enum ParameterArchive {
    /// Writes every parameter and buffer (float32, PyTorch name and shape) atomically.
    public static func save(_ model: any MultiLabelModel, to url: URL) throws {
        try NpzFile.write(namedArrays(model), to: url)
    }

    /// Writes the same arrays as `save` as a `.safetensors` file (metadata `format: pt`, as
    /// PyTorch-side loaders expect), atomically.
    public static func saveSafetensors(_ model: any MultiLabelModel, to url: URL) throws {
        try SafetensorsFile.write(namedArrays(model), metadata: ["format": "pt"], to: url)
    }

    /// Every parameter and buffer as (PyTorch name, float32 array), parameters first.
    private static func namedArrays(_ model: any MultiLabelModel) -> [(name: String, array: NpyArray)] {
        (model.parameters.map { ($0.name, $0.tensor) } + model.buffers).map { ($0.0, NpyArray($0.1.values, shape: $0.1.shape)) }
    }

    /// Loads every parameter and buffer of `model` from a file written by `save` (or by
    /// PyTorch's `np.savez` of a state dict with the same names); names and shapes must match.
    public static func load(_ model: any MultiLabelModel, from url: URL) throws {
        let arrays = try NpzFile.read(url)
        let tensors = model.parameters.map { ($0.name, $0.tensor) } + model.buffers
        var staged: [(Tensor, [Float])] = []
        for (name, tensor) in tensors {
            guard let array = arrays[name] else {
                throw ModelError.parameterFile(path: url.path, reason: "no array named \(name)")
            }
            guard array.shape == tensor.shape, array.dtype == .float32 else {
                throw ModelError.parameterFile(path: url.path,
                                               reason: "\(name) has shape \(array.shape) \(array.dtype), expected \(tensor.shape) float32")
            }
            staged.append((tensor, array.float32Values()))
        }
        for (tensor, values) in staged { tensor.assign(values) }
    }

    /// Writes the optimiser's moments (`exp_avg/<name>`, `exp_avg_sq/<name>`) and `step` atomically.
    public static func saveOptimizer(_ optimizer: Adam, to url: URL) throws {
        let state = optimizer.exportState()
        var arrays = state.arrays.map { ($0.name, NpyArray($0.values, shape: $0.shape)) }
        arrays.append(("step", NpyArray([Int64(state.step)], shape: [])))
        try NpzFile.write(arrays, to: url)
    }

    /// Restores an optimiser state written by `saveOptimizer`.
    public static func loadOptimizer(_ optimizer: Adam, from url: URL) throws {
        let arrays = try NpzFile.read(url)
        guard let step = try arrays["step"]?.int64Values().first else {
            throw ModelError.parameterFile(path: url.path, reason: "no step count")
        }
        var values: [String: [Float]] = [:]
        for (name, array) in arrays where name != "step" { values[name] = array.float32Values() }
        do {
            try optimizer.importState(step: Int(step), arrays: values)
        } catch {
            throw ModelError.parameterFile(path: url.path, reason: error.description)
        }
    }
}
