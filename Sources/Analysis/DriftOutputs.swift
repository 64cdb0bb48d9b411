import Formats
import Foundation
import NumpyIO

/// Writes `drift/`: per run, ‖C_t − C_{t−1}‖_F for every epoch (`drift.csv`), C_b − C_a for each
/// configured epoch pair (`.npy`) and its most-changed label pairs (`drift-pairs.csv`). Differences
/// are per run (not averaged over folds): each fold has its own training part and history.
/// Only runs with a `correlation.npy` take part: runs that compute no label correlation (every
/// selector but `uncertainty` with mi or nmi) use C = I throughout and write no file.
struct DriftOutputs {
    struct NormRow {
        var key: RunKey
        var epoch: Int
        var value: Double
    }

    var norms: [NormRow] = []
    /// One representative run per (dataset, model) — arm `uncertainty`, lowest block, else the
    /// first run — at the first epoch pair: shown as heatmaps in the report.
    var snapshots: [DatasetModel: Drift.Snapshot] = [:]
    var representativeChanges: [DatasetModel: [Drift.PairChange]] = [:]

    static func write(_ runs: [TrainRun], pairs: [(Int, Int)], topPairs: Int, writer: OutputWriter,
                      warn: (String) -> Void) throws -> DriftOutputs {
        var result = DriftOutputs()
        let seed = RunColumns.seedsVary(runs.map(\.key))
        var normTable = CSVTable(header: RunColumns.header(seed: seed) + ["epoch", "frobenius_change"])
        var pairTable = CSVTable(header: RunColumns.header(seed: seed) + ["epoch_a", "epoch_b", "rank", "label_a", "label_b", "c_a", "c_b", "change"])
        var warned = Set<String>()
        var representative: [DatasetModel: RunKey] = [:]
        let runs = runs.filter(\.hasCorrelation)
        for run in runs {
            let group = DatasetModel(dataset: run.dataset, model: run.model)
            if representative[group] == nil || (run.arm == SelectorOrder.proposed && representative[group]!.arm != SelectorOrder.proposed) {
                representative[group] = run.key
            }
        }
        for run in runs {
            let group = DatasetModel(dataset: run.dataset, model: run.model)
            let file: MappedNpyFile
            do { file = try MappedNpyFile(run.correlationURL) } catch {
                throw AnalysisError.malformed(file: run.correlationURL.path, line: nil, reason: "\(error)")
            }
            // A thinned history holds every k-th epoch: each step is the change since the previous kept epoch.
            let kept = run.correlationEpochs
            for (index, value) in Drift.frobeniusSteps(file).enumerated() {
                result.norms.append(NormRow(key: run.key, epoch: kept[index + 1], value: value))
                normTable.append(RunColumns.cells(run.key, seed: seed) + ["\(kept[index + 1])", CSVTable.number(value)])
            }
            let last = run.epochCount
            for (pairIndex, (a, b)) in pairs.enumerated() {
                let ca = Drift.nearest(a, in: kept), cb = Drift.nearest(b, in: kept)
                if ca != a || cb != b {
                    let message = kept.count == last
                        ? "warning: drift epochs \(a),\(b) outside 1…\(last) for runs of \(run.dataset)/\(run.model); using \(ca),\(cb)"
                        : "warning: drift epochs \(a),\(b) not all kept by the thinned history of runs of \(run.dataset)/\(run.model) "
                            + "(one epoch in \(run.metadata.historyThinning?.every ?? 1), the last included); using the nearest kept, \(ca),\(cb)"
                    if warned.insert(message).inserted { warn(message) }
                }
                if ca == cb {
                    let message = "warning: drift pair \(a),\(b) collapses to one epoch (\(ca)) for runs with \(last) epochs; no difference written"
                    if warned.insert(message).inserted { warn(message) }
                    continue
                }
                let snapshot = Drift.snapshot(run, file: file, epochA: ca, epochB: cb)
                let q = snapshot.q
                let name = "drift/" + RunColumns.stem(run.key, seed: seed) + "-C\(cb)-minus-C\(ca).npy"
                try writer.array(snapshot.difference, shape: [q, q], name)
                let changes = Drift.topChanges(snapshot, count: topPairs)
                for (rank, change) in changes.enumerated() {
                    pairTable.append(RunColumns.cells(run.key, seed: seed) + ["\(ca)", "\(cb)", "\(rank + 1)",
                                      run.labelNames[change.first], run.labelNames[change.second],
                                      CSVTable.number(Double(change.before)), CSVTable.number(Double(change.after)), CSVTable.number(Double(change.change))])
                }
                if pairIndex == 0 && representative[group] == run.key {
                    result.snapshots[group] = snapshot
                    result.representativeChanges[group] = changes
                }
            }
        }
        try writer.text(normTable.text, "drift/drift.csv")
        try writer.text(pairTable.text, "drift/drift-pairs.csv")
        return result
    }
}
