import Foundation

/// A minimal SVG document builder (text, lines, paths, rectangles), with deterministic
/// number formatting so identical inputs give byte-identical files.
public struct SVGCanvas: Sendable {
    public var width: Double
    public var height: Double
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    public mutating func raw(_ element: String) { body.append(element) }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil, opacity: Double? = nil) {
        var attributes = "x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"\(fill)\""
        if let stroke { attributes += " stroke=\"\(stroke)\"" }
        if let opacity { attributes += " fill-opacity=\"\(Self.n(opacity))\"" }
        body.append("<rect \(attributes)/>")
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000", width: Double = 1, dash: String? = nil) {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        guard !points.isEmpty else { return }
        let text = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(text)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\"/>")
    }

    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        guard !points.isEmpty else { return }
        let text = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(text)\" fill=\"\(fill)\" fill-opacity=\"\(Self.n(opacity))\" stroke=\"none\"/>")
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    public mutating func text(_ string: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                              bold: Bool = false, rotate: Double? = nil, fill: String = "#222") {
        var attributes = "x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if bold { attributes += " font-weight=\"bold\"" }
        if let rotate { attributes += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        body.append("<text \(attributes)>\(HTML.escape(string))</text>")
    }

    /// The complete document.
    public var document: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n" + body.joined(separator: "\n") + "\n</svg>\n"
    }
}

/// Axis tick positions at "nice" steps (1, 2, 2.5, 5 × 10^k).
public enum Ticks {
    /// About `target` ticks covering [lower, upper]; returns the ticks and the padded range.
    public static func nice(_ lower: Double, _ upper: Double, target: Int = 5) -> (ticks: [Double], lower: Double, upper: Double) {
        var lower = lower, upper = upper
        if !lower.isFinite || !upper.isFinite { lower = 0; upper = 1 }
        if upper - lower < 1e-12 { lower -= 0.5 * max(abs(lower), 1e-3); upper += 0.5 * max(abs(upper), 1e-3) }
        let raw = (upper - lower) / Double(max(target, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (lower / step).rounded(.down) * step
        let last = (upper / step).rounded(.up) * step
        var ticks: [Double] = []
        var value = first
        while value <= last + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return (ticks, first, last)
    }

    /// Tick label with just enough decimals for the step.
    public static func label(_ value: Double, step: Double) -> String {
        let exponent = log10(step).rounded(.down)
        let mantissa = step / pow(10, exponent)
        let decimals = max(0, -Int(exponent)) + (abs(mantissa - 2.5) < 1e-9 ? 1 : 0)
        return String(format: "%.\(min(decimals, 8))f", value)
    }
}

/// Colours: a categorical palette for selectors and continuous colour maps.
public enum Palette {
    /// Tableau-10 colours; selectors keep the same colour in every plot.
    public static let categorical = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#e15759", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"]

    /// Colour of a selector (its position in the paper's order; `uncertainty` is red). Other arm
    /// names take, in their order among `selectors`, the colours no selector of `selectors` has
    /// (cycling only when more than ten arms share a plot).
    public static func colour(of selector: String, among selectors: [String]) -> String {
        if let index = SelectorOrder.known.firstIndex(of: selector) {
            return categorical[index % categorical.count]
        }
        let taken = Set(selectors.compactMap { SelectorOrder.known.firstIndex(of: $0) }.map { categorical[$0 % categorical.count] })
        let free = categorical.filter { !taken.contains($0) }
        let index = selectors.filter { !SelectorOrder.known.contains($0) }.firstIndex(of: selector) ?? 0
        return free.isEmpty ? categorical[index % categorical.count] : free[index % free.count]
    }

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        func c(_ v: Double) -> String {
            let byte = Int((min(max(v, 0), 1) * 255).rounded())
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return "#" + c(r) + c(g) + c(b)
    }

    static func interpolate(_ stops: [(Double, Double, Double)], _ t: Double) -> String {
        let t = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(t), stops.count - 2)
        let f = t - Double(i)
        let a = stops[i], b = stops[i + 1]
        return hex(a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    /// Sequential map (viridis stops) for t ∈ [0, 1].
    public static func sequential(_ t: Double) -> String {
        interpolate([(0.267, 0.005, 0.329), (0.230, 0.322, 0.546), (0.128, 0.567, 0.551), (0.369, 0.789, 0.383), (0.993, 0.906, 0.144)], t)
    }

    /// Diverging map (blue–white–red) for t ∈ [−1, 1]; 0 is white.
    public static func diverging(_ t: Double) -> String {
        interpolate([(0.020, 0.188, 0.380), (0.263, 0.576, 0.765), (0.969, 0.969, 0.969), (0.839, 0.376, 0.302), (0.404, 0.0, 0.122)], (t + 1) / 2)
    }
}
