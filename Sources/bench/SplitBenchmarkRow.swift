import Foundation

/// One (dataset, method) line of `bench split`: best time at the speed seed and quality means.
struct SplitBenchmarkRow: Codable {
    var dataset: String
    var method: String
    var seconds: Double?
    var ed: Double?
    var ld: Double?
    var flz: Double?
    var flzLowerBound: Int?
    var seeds: Int
    var error: String?

    init(dataset: String, method: String, seconds: Double?, ed: Double?, ld: Double?, flz: Double?,
         flzLowerBound: Int?, seeds: Int, error: String?) {
        self.dataset = dataset
        self.method = method
        self.seconds = seconds
        self.ed = ed
        self.ld = ld
        self.flz = flz
        self.flzLowerBound = flzLowerBound
        self.seeds = seeds
        self.error = error
    }

    /// A row from `reference.json` (written by scripts/bench_split.py): nil when absent.
    init?(reference: [String: Any]?, dataset: String, method: String, speedSeed: UInt64, seeds: [UInt64]) {
        guard let reference else { return nil }
        let timed = reference[String(speedSeed)] as? [String: Any]
        let qualities = seeds.compactMap { (reference[String($0)] as? [String: Any])?["quality"] as? [String: Any] }
        func mean(_ key: String) -> Double? {
            let values = qualities.compactMap { ($0[key] as? NSNumber)?.doubleValue }
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        self.init(dataset: dataset, method: method, seconds: (timed?["best_s"] as? NSNumber)?.doubleValue,
                  ed: mean("ED"), ld: mean("LD"), flz: mean("FLZ"),
                  flzLowerBound: (qualities.first?["FLZ_lower_bound"] as? NSNumber)?.intValue,
                  seeds: qualities.count, error: timed?["error"] as? String)
    }

    /// Prints the table, with our speed-up over each reference and the issue's targets per dataset.
    static func printTable(_ rows: [SplitBenchmarkRow]) {
        func text(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        print("dataset        method     time s    speed-up  seeds  ED       LD         FLZ (bound)")
        for row in rows {
            let ours = rows.first { $0.dataset == row.dataset && $0.method.hasPrefix("ours") }
            var ratio = "-"
            if !row.method.hasPrefix("ours"), let theirs = row.seconds, let mine = ours?.seconds { ratio = String(format: "%.1fx", theirs / mine) }
            let line = [row.dataset.padding(toLength: 14, withPad: " ", startingAt: 0),
                        row.method.padding(toLength: 10, withPad: " ", startingAt: 0),
                        text(row.seconds, "%.4f").padding(toLength: 9, withPad: " ", startingAt: 0),
                        ratio.padding(toLength: 9, withPad: " ", startingAt: 0),
                        String(row.seeds).padding(toLength: 6, withPad: " ", startingAt: 0),
                        text(row.ed, "%.2f").padding(toLength: 8, withPad: " ", startingAt: 0),
                        text(row.ld, "%.6f").padding(toLength: 10, withPad: " ", startingAt: 0),
                        "\(text(row.flz, "%.1f")) (\(row.flzLowerBound.map(String.init) ?? "-"))",
                        row.error.map { " error: \($0)" } ?? ""]
            print(line.joined(separator: " "))
        }
        print("\ntargets (LD mean <= best reference mean; FLZ = lower bound; corel5k speed >= 20x skml_o1):")
        for ours in rows where ours.method.hasPrefix("ours") {
            let references = rows.filter { $0.dataset == ours.dataset && !$0.method.hasPrefix("ours") }
            let bestLD = references.compactMap(\.ld).min()
            let ldMet = bestLD.map { (ours.ld ?? .infinity) <= $0 }
            let flzMet = ours.flz.map { $0 == Double(ours.flzLowerBound ?? -1) }
            var line = "  \(ours.dataset): LD \(text(ours.ld, "%.6f")) vs \(text(bestLD, "%.6f")) \(ldMet.map { $0 ? "met" : "NOT met" } ?? "-")"
            line += "; FLZ \(text(ours.flz, "%.1f")) = \(ours.flzLowerBound.map(String.init) ?? "-") \(flzMet.map { $0 ? "met" : "NOT met" } ?? "-")"
            if let skml = references.first(where: { $0.method == "skml_o1" })?.seconds, let mine = ours.seconds {
                line += String(format: "; speed-up over skml_o1 %.1fx", skml / mine)
            }
            print(line)
        }
    }
}
