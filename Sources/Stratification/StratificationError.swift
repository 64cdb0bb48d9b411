/// Invalid requests and inputs of the splitter. Each message says what is wrong and how to fix it.
public enum StratificationError: Error, CustomStringConvertible, Equatable {
    /// Fewer than two folds were requested.
    case tooFewFolds(Int)
    /// More folds than instances were requested.
    case moreFoldsThanInstances(folds: Int, instances: Int)
    /// The label matrix has no positive entry, so there is nothing to stratify on.
    case noPositiveLabels(instances: Int, labels: Int)
    /// A label value other than 0 or 1.
    case nonBinaryLabel(row: Int, label: Int, value: Int)
    /// Only orders 1 (labels) and 2 (label pairs) are implemented.
    case unsupportedOrder(Int)
    /// A fraction (validation share, holdout share) outside the open interval (0, 1).
    case fractionOutOfRange(name: String, value: Double)
    /// Fewer than one stratifier run was requested.
    case tooFewRuns(Int)
    /// A part of the split came out empty (too few instances for the requested parts).
    case emptyPart(name: String, instances: Int)
    /// A negative label-filter threshold.
    case negativeLabelThreshold(Int)
    /// The label filter would drop every label.
    case noLabelKept(dropAtMost: Int, labels: Int, mostPositives: Int)

    public var description: String {
        switch self {
        case let .tooFewFolds(folds):
            return "--folds \(folds): k-fold cross-validation needs at least 2 folds; use --folds 2 or more, or --holdout FRACTION for a single train/test split"
        case let .moreFoldsThanInstances(folds, instances):
            return "--folds \(folds) exceeds the \(instances) instances of the dataset: every fold needs at least one instance; use --folds \(max(2, min(instances, 5))) or fewer"
        case let .noPositiveLabels(instances, labels):
            return "the label matrix (\(instances) x \(labels)) has no positive entry: stratification needs at least one instance with a label; check labels.npy (rerun fetch)"
        case let .nonBinaryLabel(row, label, value):
            return "labels.npy has value \(value) at row \(row), label \(label): labels must be 0 or 1; rerun fetch"
        case let .unsupportedOrder(order):
            return "--order \(order) is not supported: use 1 (labels) or 2 (label pairs)"
        case let .fractionOutOfRange(name, value):
            return "\(name) \(value) is outside (0, 1): give a fraction strictly between 0 and 1, e.g. 0.5"
        case let .tooFewRuns(runs):
            return "--restarts \(runs): at least one run of the stratifier is needed; use --restarts 1 or more"
        case let .emptyPart(name, instances):
            return "\(name) received no instance (\(instances) instances available): use fewer folds or a larger fraction"
        case let .negativeLabelThreshold(value):
            return "label filter threshold \(value) is negative: give the largest positive count of a dropped label, 0 or more (the paper uses 20)"
        case let .noLabelKept(dropAtMost, labels, mostPositives):
            return "the label filter drops all \(labels) labels: the most frequent label has \(mostPositives) positive rows, not more than the threshold \(dropAtMost); use a threshold below \(mostPositives) or turn the filter off"
        }
    }
}
