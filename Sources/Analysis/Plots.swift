import Foundation

/// Plot panels drawn into an ``SVGCanvas``: line charts with bands, heatmaps, histograms.
public enum Plots {
    /// A rectangle of the canvas.
    public struct Frame: Sendable {
        public var x: Double, y: Double, width: Double, height: Double
        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
    }

    /// One curve: y over x, optionally with a band [lower, upper].
    public struct Series: Sendable {
        public var name: String
        public var colour: String
        public var x: [Double]
        public var y: [Double]
        public var lower: [Double]?
        public var upper: [Double]?
        public init(name: String, colour: String, x: [Double], y: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
            self.name = name; self.colour = colour; self.x = x; self.y = y; self.lower = lower; self.upper = upper
        }
    }

    /// Axes with ticks, grid lines, labels and a title; returns the data → pixel mappings.
    static func axes(_ canvas: inout SVGCanvas, _ frame: Frame, xRange: (Double, Double), yRange: (Double, Double),
                     title: String, xLabel: String, yLabel: String, integerX: Bool = false)
        -> (x: (Double) -> Double, y: (Double) -> Double) {
        let left = frame.x + 62, right = frame.x + frame.width - 12
        let top = frame.y + 28, bottom = frame.y + frame.height - 44
        let xt = Ticks.nice(xRange.0, xRange.1, target: 6)
        let yt = Ticks.nice(yRange.0, yRange.1, target: 5)
        let xs = { (v: Double) in left + (v - xt.lower) / (xt.upper - xt.lower) * (right - left) }
        let ys = { (v: Double) in bottom - (v - yt.lower) / (yt.upper - yt.lower) * (bottom - top) }
        let xStep = xt.ticks.count > 1 ? xt.ticks[1] - xt.ticks[0] : 1
        let yStep = yt.ticks.count > 1 ? yt.ticks[1] - yt.ticks[0] : 1
        for tick in yt.ticks {
            canvas.line(left, ys(tick), right, ys(tick), stroke: "#e3e3e3")
            canvas.text(Ticks.label(tick, step: yStep), x: left - 6, y: ys(tick) + 4, size: 11, anchor: .end)
        }
        for tick in xt.ticks {
            canvas.line(xs(tick), bottom, xs(tick), bottom + 5, stroke: "#444")
            canvas.text(integerX ? String(Int(tick.rounded())) : Ticks.label(tick, step: xStep), x: xs(tick), y: bottom + 18, size: 11, anchor: .middle)
        }
        canvas.line(left, bottom, right, bottom, stroke: "#444")
        canvas.line(left, top, left, bottom, stroke: "#444")
        canvas.text(title, x: (left + right) / 2, y: frame.y + 17, size: 13, anchor: .middle, bold: true)
        canvas.text(xLabel, x: (left + right) / 2, y: frame.y + frame.height - 10, size: 12, anchor: .middle)
        canvas.text(yLabel, x: frame.x + 14, y: (top + bottom) / 2, size: 12, anchor: .middle, rotate: -90)
        return (xs, ys)
    }

    /// A line chart of `series` with shaded ±bands; `markers` draws each point as a small square.
    public static func lines(_ canvas: inout SVGCanvas, _ frame: Frame, series: [Series], title: String, xLabel: String, yLabel: String,
                             integerX: Bool = true, markers: Bool = false) {
        let xs = series.flatMap(\.x).filter(\.isFinite)
        let ys = series.flatMap { ($0.lower ?? []) + ($0.upper ?? []) + $0.y }.filter(\.isFinite)
        let map = axes(&canvas, frame, xRange: (xs.min() ?? 0, xs.max() ?? 1), yRange: (ys.min() ?? 0, ys.max() ?? 1),
                       title: title, xLabel: xLabel, yLabel: yLabel, integerX: integerX)
        for s in series {
            if let lower = s.lower, let upper = s.upper {
                let top = zip(s.x, upper).filter { $0.1.isFinite }.map { (map.x($0.0), map.y($0.1)) }
                let bottom = zip(s.x, lower).filter { $0.1.isFinite }.map { (map.x($0.0), map.y($0.1)) }
                canvas.polygon(top + bottom.reversed(), fill: s.colour, opacity: 0.18)
            }
        }
        for s in series {
            let points = zip(s.x, s.y).filter { $0.1.isFinite }.map { (map.x($0.0), map.y($0.1)) }
            canvas.polyline(points, stroke: s.colour)
            if markers { for (x, y) in points { canvas.rect(x: x - 3, y: y - 3, width: 6, height: 6, fill: s.colour) } }
        }
    }

    /// A legend: colour swatches and names, one per line.
    public static func legend(_ canvas: inout SVGCanvas, x: Double, y: Double, entries: [(name: String, colour: String)], title: String? = nil) {
        var row = y
        if let title {
            canvas.text(title, x: x, y: row, size: 12, bold: true)
            row += 18
        }
        for entry in entries {
            canvas.rect(x: x, y: row - 9, width: 14, height: 10, fill: entry.colour)
            canvas.text(entry.name, x: x + 20, y: row, size: 12)
            row += 18
        }
    }

    /// A q × q heatmap, block-averaged to at most `maxCells` per side, with label ticks (names
    /// when q ≤ 30) and a colour bar. `symmetric` uses the diverging map on [−m, m]. The
    /// diagonal (C_aa = 1 by definition) is left out of the means and the colour range, so the
    /// off-diagonal structure gets the whole scale; cells without data are grey.
    public static func heatmap(_ canvas: inout SVGCanvas, _ frame: Frame, matrix: [Float], q: Int, labelNames: [String],
                               title: String, symmetric: Bool, maxCells: Int = 64) {
        let cells = min(q, maxCells)
        var pooled = [Double](repeating: 0, count: cells * cells)
        var counts = [Double](repeating: 0, count: cells * cells)
        for i in 0..<q {
            let r = i * cells / q
            for j in 0..<q where j != i {
                let c = j * cells / q
                let v = Double(matrix[i * q + j])
                if v.isFinite { pooled[r * cells + c] += v; counts[r * cells + c] += 1 }
            }
        }
        for k in 0..<pooled.count { pooled[k] = counts[k] > 0 ? pooled[k] / counts[k] : .nan }
        let present = pooled.filter { !$0.isNaN }
        let lower: Double, upper: Double
        if symmetric {
            let m = max(present.map(abs).max() ?? 0, 1e-6)
            lower = -m; upper = m
        } else {
            lower = min(present.min() ?? 0, 0); upper = max(present.max() ?? 1, lower + 1e-6)
        }
        let colour = { (v: Double) -> String in
            if v.isNaN { return "#d9d9d9" }
            return symmetric ? Palette.diverging(v / upper) : Palette.sequential((v - lower) / (upper - lower))
        }
        let showNames = q <= 30
        let margin = showNames ? 90.0 : 40.0
        let side = min(frame.width - margin - 70, frame.height - margin - 30)
        let left = frame.x + margin, top = frame.y + 30
        let cell = side / Double(cells)
        canvas.text(title, x: left + side / 2, y: frame.y + 17, size: 13, anchor: .middle, bold: true)
        // Merge horizontal runs of one colour to keep the file small.
        for r in 0..<cells {
            var start = 0
            while start < cells {
                let fill = colour(pooled[r * cells + start])
                var end = start + 1
                while end < cells && colour(pooled[r * cells + end]) == fill { end += 1 }
                canvas.rect(x: left + Double(start) * cell, y: top + Double(r) * cell, width: Double(end - start) * cell + 0.3, height: cell + 0.3, fill: fill)
                start = end
            }
        }
        canvas.rect(x: left, y: top, width: side, height: side, fill: "none", stroke: "#444")
        if showNames {
            for (i, name) in labelNames.enumerated() {
                let centre = (Double(i) + 0.5) * side / Double(q)
                canvas.text(String(name.prefix(12)), x: left - 4, y: top + centre + 3, size: 9, anchor: .end)
                canvas.text(String(name.prefix(12)), x: left + centre + 3, y: top + side + 6, size: 9, anchor: .end, rotate: -60)
            }
        } else {
            let step = Ticks.nice(0, Double(q), target: 5).ticks
            for tick in step where tick < Double(q) {
                let position = (tick + 0.5) * side / Double(q)
                canvas.line(left - 4, top + position, left, top + position, stroke: "#444")
                canvas.text(String(Int(tick)), x: left - 6, y: top + position + 4, size: 10, anchor: .end)
                canvas.line(left + position, top + side, left + position, top + side + 4, stroke: "#444")
                canvas.text(String(Int(tick)), x: left + position, y: top + side + 15, size: 10, anchor: .middle)
            }
            canvas.text("label index (\(q) labels\(cells < q ? ", block means \(cells)×\(cells)" : ""))", x: left + side / 2, y: top + side + 30, size: 11, anchor: .middle)
        }
        // Colour bar.
        let barX = left + side + 14, barHeight = side
        let steps = 64
        for s in 0..<steps {
            let v = upper - (upper - lower) * (Double(s) + 0.5) / Double(steps)
            canvas.rect(x: barX, y: top + Double(s) * barHeight / Double(steps), width: 12, height: barHeight / Double(steps) + 0.3, fill: colour(v))
        }
        canvas.rect(x: barX, y: top, width: 12, height: barHeight, fill: "none", stroke: "#444")
        let ticks = Ticks.nice(lower, upper, target: 4)
        let step = ticks.ticks.count > 1 ? ticks.ticks[1] - ticks.ticks[0] : 1
        for tick in ticks.ticks where tick >= lower - 1e-12 && tick <= upper + 1e-12 {
            let y = top + (upper - tick) / (upper - lower) * barHeight
            canvas.line(barX + 12, y, barX + 16, y, stroke: "#444")
            canvas.text(Ticks.label(tick, step: step), x: barX + 18, y: y + 4, size: 10)
        }
    }

    /// A bar histogram of fractions over equal-width bins of [lower, upper].
    public static func histogram(_ canvas: inout SVGCanvas, _ frame: Frame, fractions: [Double], lower: Double, upper: Double,
                                 colour: String, title: String, xLabel: String) {
        let map = axes(&canvas, frame, xRange: (lower, upper), yRange: (0, max(fractions.max() ?? 0, 1e-3)),
                       title: title, xLabel: xLabel, yLabel: "fraction of samples")
        let width = (upper - lower) / Double(max(fractions.count, 1))
        for (index, fraction) in fractions.enumerated() where fraction > 0 {
            let x0 = map.x(lower + Double(index) * width), x1 = map.x(lower + Double(index + 1) * width)
            canvas.rect(x: x0, y: map.y(fraction), width: max(x1 - x0 - 0.5, 0.5), height: map.y(0) - map.y(fraction), fill: colour)
        }
    }
}
