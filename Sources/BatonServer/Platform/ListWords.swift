import Foundation

/// "Ana, Ben and Carl": a list read as a sentence.
enum ListWords {
    static func join(_ items: [String], _ word: String) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(word) " + items.last!
        }
    }
}
