import Formats

extension ModelFactory {
    /// Every model's `model_param` keys with their defaults, as a Markdown table (shown by
    /// `pipeline stages`, `train --help` and the README's parameter reference).
    public static var hyperParameterTable: String {
        var text = "#### Model hyper-parameters (train `model_param: [key=value, …]`)\n\n| model | key | default |\n|---|---|---|\n"
        for kind in ModelKind.allCases {
            let defaults = Self.defaults(of: kind), derived = Self.derivedDefaults(of: kind), choices = Self.choices(of: kind)
            for key in Set(defaults.keys).union(derived.keys).sorted() {
                let value: String
                if let names = choices[key], let index = defaults[key].map(Int.init), names.indices.contains(index) {
                    value = "`\(names[index])` (one of \(names.joined(separator: ", ")))"
                } else if let number = defaults[key] {
                    value = "`\(number == number.rounded() && abs(number) < 1e9 ? String(Int(number)) : "\(number)")`"
                        + (derived[key].map { " (\($0))" } ?? "")
                } else {
                    value = derived[key]!
                }
                text += "| \(kind.rawValue) | `\(key)` | \(value) |\n"
            }
        }
        return text
    }
}
