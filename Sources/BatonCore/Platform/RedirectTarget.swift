import Foundation

/// Where a page may send someone after signing in: a path on this site, nothing else.
public enum RedirectTarget {
    /// `raw` when it is a same-origin path, "/" otherwise. The check runs on the text as sent and
    /// after every round of percent-decoding, because browsers drop tabs and newlines and treat
    /// `\` as `/`: `/%09/evil.com` reaches them as `//evil.com`, another origin.
    public static func safePath(_ raw: String?) -> String {
        guard let raw, raw.count <= 2000 else { return "/" }
        var text = raw
        for _ in 0..<4 {
            guard isLocalPath(text) else { return "/" }
            guard let decoded = text.removingPercentEncoding else { return "/" }
            if decoded == text { return raw }
            text = decoded
        }
        return "/"
    }

    private static func isLocalPath(_ text: String) -> Bool {
        guard text.hasPrefix("/"), !text.hasPrefix("//") else { return false }
        return !text.unicodeScalars.contains { scalar in
            scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7f
                || scalar.properties.generalCategory == .format
        }
    }
}
