import BatonCore
import Foundation

/// `Content-Disposition: attachment` for a file name users chose (a project's name): an ASCII
/// `filename` for old clients and the real name as `filename*` in UTF-8 (RFC 6266, RFC 8187).
/// Neither can carry a quote, a path separator or a control character.
enum ContentDisposition {
    private static let attributeCharacters = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")

    static func attachment(filename: String) -> String {
        let name = String(String.UnicodeScalarView(filename.unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
            if scalar == "/" || scalar == "\\" { return "-" }
            return DisplayText.isAllowed(scalar, lines: false) ? scalar : nil
        }))
        let ascii = String(String.UnicodeScalarView(name.unicodeScalars.map { (scalar: Unicode.Scalar) -> Unicode.Scalar in
            scalar.isASCII && scalar != "\"" && scalar != "%" ? scalar : "_"
        }))
        let encoded = name.addingPercentEncoding(withAllowedCharacters: attributeCharacters) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
