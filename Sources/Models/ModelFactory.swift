import Formats
import Foundation

/// Builds the models of ``ModelKind``.
public enum ModelFactory {
    /// A model with seeded initialisation; `hyperParameters` override the model's published
    /// defaults (``ModelKind/hyperParameters``: unknown keys are rejected, listing the valid ones;
    /// values out of range are rejected naming the key, the value and the valid range).
    /// `trainingLabels` is the training part's label matrix [n, q] (row-major 0/1): clif needs it
    /// for `label_graph` = cooccurrence; every other model and setting ignores it. A model whose
    /// training needs more than this machine's memory is refused with the estimate.
    public static func make(_ kind: ModelKind, inputDimension: Int, labelCount: Int, hyperParameters: [String: Double] = [:],
                            seed: UInt64, trainingLabels: [UInt8]? = nil) throws(ModelError) -> any MultiLabelModel {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let bytes = kind.trainingBytes(hyperParameters, features: inputDimension, labels: labelCount)
        if bytes > memory {
            let parameters = kind.parameterCount(hyperParameters, features: inputDimension, labels: labelCount)
            throw .tooLarge(reason: kind.tooLargeReason(parameters: parameters, bytes: bytes, memory: memory, atLeast: false))
        }
        return switch kind {
        case .mlp: try MLPModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .clif: try CLIFModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed,
                                  trainingLabels: trainingLabels)
        case .dela: try DELAModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .mpvae: try MPVAEModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        case .linear: try LinearModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: hyperParameters, seed: seed)
        }
    }
}
