import Foundation
import Vapor

/// snake_case JSON with ISO-8601 dates for every request and response. Installed once per
/// process: the content configuration is global.
enum JSONConventions {
    static let installed: Void = {
        ContentConfiguration.global.use(encoder: JSONEncoder.baton, for: .json)
        ContentConfiguration.global.use(decoder: JSONDecoder.baton, for: .json)
    }()

    /// "workspaceName" → "workspace_name": a Swift key as the wire spells it.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
        return result
    }
}

extension JSONEncoder {
    /// snake_case keys and ISO-8601 dates: the API's conventions.
    static var baton: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

extension JSONDecoder {
    static var baton: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
