import Formats
import Foundation

/// Builds the models of ``ModelKind``.
public enum ModelFactory {
    /// The model of `hyperParameters`' case with seeded initialisation (its values were checked
    /// when they were parsed: ``TrainParameters/modelHyperParameters()``, ``ModelHyperParameters/init(_:_:)``).
    /// `trainingLabels` is the training part's label matrix [n, q] (row-major 0/1): clif needs it
    /// for `label_graph` = cooccurrence; every other model and setting ignores it. A model whose
    /// training needs more than this machine's memory is refused with the estimate.
    public static func make(_ hyperParameters: ModelHyperParameters, inputDimension: Int, labelCount: Int,
                            seed: UInt64, trainingLabels: [UInt8]? = nil) throws(ModelError) -> any MultiLabelModel {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let bytes = hyperParameters.trainingBytes(features: inputDimension, labels: labelCount)
        if bytes > memory {
            let parameters = hyperParameters.parameterCount(features: inputDimension, labels: labelCount)
            throw .tooLarge(reason: hyperParameters.model.tooLargeReason(parameters: parameters, bytes: bytes, memory: memory, atLeast: false))
        }
        return switch hyperParameters {
        case .mlp(let h): try MLPModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: h, seed: seed)
        case .clif(let h): try CLIFModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: h, seed: seed,
                                         trainingLabels: trainingLabels)
        case .dela(let h): try DELAModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: h, seed: seed)
        case .mpvae(let h): try MPVAEModel(inputDimension: inputDimension, labelCount: labelCount, hyperParameters: h, seed: seed)
        case .linear: try LinearModel(inputDimension: inputDimension, labelCount: labelCount, seed: seed)
        }
    }
}
