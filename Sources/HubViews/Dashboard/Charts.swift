import Foundation

/// Inline SVG charts for the dashboard: no script, no external resources.
/// Each chart is an `<svg role="img">` with `<title>` and `<desc>`, sized by
/// its viewBox so it scales down on small screens, with its numbers written
/// next to the marks (the chart reads without hovering).
enum Charts {
    /// Colours with at least 4.5:1 contrast against white where they carry
    /// text, and at least 3:1 for marks.
    enum Palette {
        static let primary = "#1d5fa8"
        static let secondary = "#0f7668"
        static let accent = "#9a4d0b"
        static let text = "#1f2933"
        static let muted = "#52606d"
        static let grid = "#d9dee4"
        static let track = "#eef1f4"
        static let heard = "#1b7f3b"
        static let silent = "#c0341d"
        static let other = "#b8c2cc"

        /// Classification colours, green (optimal) to red (inactive).
        static let classification: [String: String] = [
            "optimal": "#1b7f3b", "kreatif": "#6a9e1f", "berkembang": "#d39e00", "kurang-aktif": "#e06a12",
            "tidak-aktif": "#c0341d",
        ]
        static func classificationColour(_ value: String) -> String { classification[value] ?? "#8a96a3" }
    }

    /// Rough width of a label in px, on the wide side (DejaVu Sans, the
    /// widest common fallback): enough to size label columns and truncate.
    static func textWidth(_ text: String, size: Double) -> Double {
        var units = 0.0
        for c in text.unicodeScalars {
            switch c {
            case "i", "l", "j", "I", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "f", "t", "r", "/", "-": units += 0.36
            case "m", "w", "M", "W": units += 0.92
            case "A"..."Z", "0"..."9": units += 0.70
            default: units += 0.62
            }
        }
        return units * size
    }

    /// `text` cut with an ellipsis to fit `width` px.
    static func fit(_ text: String, width: Double, size: Double) -> String {
        guard textWidth(text, size: size) > width else { return text }
        var cut = text
        while !cut.isEmpty && textWidth(cut + "…", size: size) > width { cut.removeLast() }
        return cut.trimmingCharacters(in: .whitespaces) + "…"
    }

    /// A coordinate for SVG: at most one decimal, never NaN.
    static func n(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "0" }
        let r = (value * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// The `<svg>` opening with its accessible name and description, in a
    /// wrapper that scrolls sideways when a phone is narrower than the
    /// chart's smallest readable width (closed by `close`).
    static func open(id: String, width: Double, height: Double, title: String, desc: String) -> Markup {
        "<div class=\"chart-wrap\"><svg class=\"chart\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "width=\"\(n(width))\" height=\"\(n(height))\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(id)-t\">\(title)</title><desc id=\"\(id)-d\">\(desc)</desc>"
    }

    static let close: Markup = "</svg></div>"

    static func text(_ x: Double, _ y: Double, _ content: String, size: Double = 13, anchor: String = "start", weight: String? = nil,
                     fill: String = Palette.text) -> Markup {
        let bold: Markup = weight.map { " font-weight=\"\($0)\"" } ?? ""
        return "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(bold)>\(content)</text>"
    }

    static func empty(id: String, title: String, message: String, width: Double = 560) -> Markup {
        open(id: id, width: width, height: 48, title: title, desc: message) + text(0, 28, message, size: 13, fill: Palette.muted) + close
    }

    // MARK: Horizontal bars

    struct Bar {
        var label: String
        var value: Double
        /// The text at the bar's end (the formatted value, or more).
        var text: String
    }

    /// Horizontal bars, largest first, each with its label and value text.
    /// Past `limit` rows the rest are summed into one `otherLabel` bar.
    static func bars(id: String, _ items: [Bar], title: String, desc: String, format: (Double) -> String,
                     colour: String = Palette.primary, limit: Int = 12, otherLabel: ((Int) -> String)? = nil,
                     emptyMessage: String, width: Double = 500) -> Markup {
        var rows = items.filter { $0.value > 0 }.sorted { ($0.value, $1.label) > ($1.value, $0.label) }
        guard !rows.isEmpty else { return empty(id: id, title: title, message: emptyMessage, width: width) }
        var otherIndex: Int?
        if rows.count > limit, let otherLabel {
            let rest = rows[(limit - 1)...]
            let sum = rest.reduce(0) { $0 + $1.value }
            rows = Array(rows[..<(limit - 1)]) + [Bar(label: otherLabel(rest.count), value: sum, text: format(sum))]
            otherIndex = rows.count - 1
        } else if rows.count > limit {
            rows = Array(rows[..<limit])
        }
        let size = 13.0, rowHeight = 26.0, barHeight = 16.0
        let labelWidth = min(width * 0.38, max(70, rows.map { textWidth($0.label, size: size) }.max() ?? 0) + 14)
        let valueWidth = min(150, max(36, rows.map { textWidth($0.text, size: 12) }.max() ?? 0) + 10)
        let barX = labelWidth, barMax = max(40, width - labelWidth - valueWidth)
        let top = rows.map(\.value).max() ?? 1
        let height = Double(rows.count) * rowHeight + 4
        var s = open(id: id, width: width, height: height, title: title, desc: desc)
        for (i, row) in rows.enumerated() {
            let y = Double(i) * rowHeight + 4
            let w = max(2, row.value / top * barMax)
            let label = fit(row.label, width: labelWidth - 10, size: size)
            s += "<g><title>\(row.label): \(row.text)</title>"
            s += text(labelWidth - 10, y + barHeight / 2 + 4.5, label, size: size, anchor: "end")
            s += "<rect x=\"\(n(barX))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(barHeight))\" rx=\"2\" fill=\"\(i == otherIndex ? Palette.other : colour)\"/>"
            s += text(barX + w + 6, y + barHeight / 2 + 4.5, row.text, size: 12, fill: Palette.muted)
            s += "</g>"
        }
        return s + close
    }

    // MARK: Columns (months)

    struct Series {
        var name: String
        var values: [Double]
        var colour: String
        var format: (Double) -> String
    }

    /// Columns per month. Each series gets its own panel with its own scale
    /// (small multiples sharing the month axis), so trainings and
    /// participants can be read together without a misleading second axis.
    static func columns(id: String, labels: [String], series: [Series], title: String, desc: String, emptyMessage: String,
                        width: Double = 560) -> Markup {
        guard !labels.isEmpty, !series.isEmpty else { return empty(id: id, title: title, message: emptyMessage, width: width) }
        let panelHeight = 108.0, header = 22.0, gap = 14.0, axis = 22.0, left = 4.0
        let plotWidth = width - left * 2
        let slot = plotWidth / Double(labels.count)
        let columnWidth = min(34, slot * 0.64)
        let showValues = slot >= 26
        let labelEvery = slot >= 30 ? 1 : slot >= 16 ? 2 : 3
        let height = Double(series.count) * (header + panelHeight + gap) + axis
        var s = open(id: id, width: width, height: height, title: title, desc: desc)
        for (p, serie) in series.enumerated() {
            let y0 = Double(p) * (header + panelHeight + gap)
            let baseline = y0 + header + panelHeight
            let top = max(1, serie.values.max() ?? 1)
            s += "<rect x=\"\(n(left))\" y=\"\(n(y0 + 4))\" width=\"11\" height=\"11\" rx=\"2\" fill=\"\(serie.colour)\"/>"
            s += text(left + 17, y0 + 14, serie.name, size: 13, weight: "600")
            s += "<line x1=\"\(n(left))\" y1=\"\(n(baseline))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(baseline))\" stroke=\"\(Palette.grid)\"/>"
            for (i, value) in serie.values.enumerated() where i < labels.count {
                let cx = left + slot * (Double(i) + 0.5)
                let h = value <= 0 ? 0 : max(2, value / top * (panelHeight - 18))
                s += "<g><title>\(labels[i]): \(serie.format(value))</title>"
                s += "<rect x=\"\(n(cx - columnWidth / 2))\" y=\"\(n(baseline - h))\" width=\"\(n(columnWidth))\" height=\"\(n(h))\" rx=\"2\" fill=\"\(serie.colour)\"/>"
                if showValues && value > 0 {
                    s += text(cx, baseline - h - 4, serie.format(value), size: 11, anchor: "middle", fill: Palette.muted)
                }
                s += "</g>"
            }
        }
        let axisY = Double(series.count) * (header + panelHeight + gap) - gap + 16
        for (i, label) in labels.enumerated() where i % labelEvery == 0 {
            s += text(left + slot * (Double(i) + 0.5), axisY, label, size: 11.5, anchor: "middle", fill: Palette.muted)
        }
        return s + close
    }

    // MARK: Donut

    struct Slice {
        var label: String
        var value: Double
        var colour: String
    }

    /// A donut with a headline in its hole and a legend with counts and
    /// percentages beside it.
    static func donut(id: String, _ slices: [Slice], headline: String, subline: String, title: String, desc: String,
                      countFormat: (Double) -> String, percentFormat: (Double) -> String, emptyMessage: String) -> Markup {
        let total = slices.reduce(0) { $0 + max(0, $1.value) }
        guard total > 0 else { return empty(id: id, title: title, message: emptyMessage, width: 460) }
        let radius = 64.0, stroke = 26.0, cx = 86.0, cy = 86.0
        let circumference = 2 * Double.pi * radius
        let legendX = 196.0, rowHeight = 26.0
        let legendWidth = 460.0 - legendX
        let height = max(cy * 2, Double(slices.count) * rowHeight + 12)
        var s = open(id: id, width: 460, height: height, title: title, desc: desc)
        s += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(radius))\" fill=\"none\" stroke=\"\(Palette.track)\" stroke-width=\"\(n(stroke))\"/>"
        var offset = 0.0
        for slice in slices where slice.value > 0 {
            let length = slice.value / total * circumference
            // A hairline gap between slices (unless one slice is the whole).
            let drawn = slice.value == total ? length : max(0.5, length - 1.5)
            s += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(radius))\" fill=\"none\" stroke=\"\(slice.colour)\" stroke-width=\"\(n(stroke))\" "
            s += "stroke-dasharray=\"\(String(format: "%.2f", drawn)) \(String(format: "%.2f", circumference - drawn))\" "
            s += "stroke-dashoffset=\"\(String(format: "%.2f", -offset))\" transform=\"rotate(-90 \(n(cx)) \(n(cy)))\">"
            s += "<title>\(slice.label): \(countFormat(slice.value)) (\(percentFormat(slice.value / total)))</title></circle>"
            offset += length
        }
        s += text(cx, cy + 4, headline, size: 24, anchor: "middle", weight: "700")
        s += text(cx, cy + 22, fit(subline, width: radius * 2 - stroke - 6, size: 11.5), size: 11.5, anchor: "middle", fill: Palette.muted)
        let legendTop = (height - Double(slices.count) * rowHeight) / 2
        for (i, slice) in slices.enumerated() {
            let y = legendTop + Double(i) * rowHeight
            s += "<rect x=\"\(n(legendX))\" y=\"\(n(y + 6))\" width=\"13\" height=\"13\" rx=\"2\" fill=\"\(slice.colour)\"/>"
            s += text(legendX + 20, y + 17, fit(slice.label, width: legendWidth - 130, size: 13), size: 13)
            s += text(460 - 56, y + 17, countFormat(slice.value), size: 13, anchor: "end", weight: "600")
            s += text(460 - 2, y + 17, percentFormat(slice.value / total), size: 13, anchor: "end", fill: Palette.muted)
        }
        return s + close
    }

    // MARK: Stacked bars (centres per region)

    struct Segment {
        var name: String
        var colour: String
    }

    /// One horizontal stacked bar per row (segments in order), the bar's
    /// length proportional to its total, the total written at its end, and a
    /// legend on top.
    static func stacked(id: String, rows: [(label: String, values: [Double])], segments: [Segment], title: String, desc: String,
                        format: (Double) -> String, emptyMessage: String, width: Double = 500) -> Markup {
        guard !rows.isEmpty else { return empty(id: id, title: title, message: emptyMessage, width: width) }
        let size = 13.0, rowHeight = 24.0, barHeight = 15.0, legendHeight = 30.0
        let labelWidth = min(width * 0.36, max(70, rows.map { textWidth($0.label, size: size) }.max() ?? 0) + 14)
        let valueWidth = 44.0
        let barMax = width - labelWidth - valueWidth
        let top = max(1, rows.map { $0.values.reduce(0, +) }.max() ?? 1)
        let height = legendHeight + Double(rows.count) * rowHeight + 4
        var s = open(id: id, width: width, height: height, title: title, desc: desc)
        var lx = 0.0
        for segment in segments {
            s += "<rect x=\"\(n(lx))\" y=\"6\" width=\"13\" height=\"13\" rx=\"2\" fill=\"\(segment.colour)\"/>"
            s += text(lx + 18, 17, segment.name, size: 12.5)
            lx += 18 + textWidth(segment.name, size: 12.5) + 22
        }
        for (i, row) in rows.enumerated() {
            let y = legendHeight + Double(i) * rowHeight
            let total = row.values.reduce(0, +)
            var parts: [String] = []
            for (j, v) in row.values.enumerated() where j < segments.count && v > 0 {
                parts.append("\(segments[j].name) \(format(v))")
            }
            s += "<g><title>\(row.label): \(parts.joined(separator: ", "))</title>"
            s += text(labelWidth - 10, y + barHeight / 2 + 4.5, fit(row.label, width: labelWidth - 10, size: size), size: size, anchor: "end")
            var x = labelWidth
            for (j, v) in row.values.enumerated() where j < segments.count && v > 0 {
                let w = v / top * barMax
                s += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(1, w - 1)))\" height=\"\(n(barHeight))\" fill=\"\(segments[j].colour)\"/>"
                x += w
            }
            s += text(x + 6, y + barHeight / 2 + 4.5, format(total), size: 12, fill: Palette.muted)
            s += "</g>"
        }
        return s + close
    }
}
