/// Page size rules shared by every list endpoint.
public enum PageSize {
    public static let standard = 50
    public static let maximum = 200

    /// nil means the value is out of range and should be reported to the caller.
    public static func resolve(_ requested: Int?) -> Int? {
        guard let requested else { return standard }
        guard (1...maximum).contains(requested) else { return nil }
        return requested
    }
}
