import Foundation

/// Numbers typed by people or sent by programs. `Double("nan")`, `Double("inf")` and `1e999`
/// parse, but a NaN stored in PostgreSQL makes the task JSON invalid, and `Int(Double.infinity)`
/// traps: every number that enters Baton goes through here and is finite.
public enum FiniteNumber {
    public static func parse(_ text: String) -> Double? {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value
    }
}
