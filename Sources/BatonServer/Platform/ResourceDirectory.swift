import Foundation

/// Where the templates (`Resources/Views`) and static files (`Public`) are: the directory given
/// (`--resources`, `BATON_RESOURCES`), else the one the executable sits in or any above it (an
/// install next to its binary, `.build/debug/baton` in a checkout), else the working directory.
/// The working directory alone is not enough: `baton` started elsewhere served no page.
public enum ResourceDirectory {
    public static func locate(explicit: String?, executable: String = Bundle.main.executablePath ?? CommandLine.arguments[0],
                              workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        if let explicit, !explicit.isEmpty {
            let root = absolute(explicit, from: workingDirectory)
            guard holdsResources(root) else {
                throw ResourcesMissing(message: "\(root) does not hold Resources/Views and Public (from --resources or BATON_RESOURCES).")
            }
            return root
        }
        var candidates: [String] = []
        let binary = executable.hasPrefix("/") ? executable : workingDirectory + "/" + executable
        var directory = URL(fileURLWithPath: binary).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            candidates.append(directory.path)
            directory.deleteLastPathComponent()
        }
        candidates.append(workingDirectory)
        guard let found = candidates.first(where: holdsResources) else {
            throw ResourcesMissing(message: "Cannot find Baton's Resources/Views and Public next to \(executable) or in \(workingDirectory). "
                                   + "Copy them next to the binary, or pass --resources DIR (or set BATON_RESOURCES).")
        }
        return found.hasSuffix("/") ? found : found + "/"
    }

    static func holdsResources(_ root: String) -> Bool {
        var isDirectory: ObjCBool = false
        let views = FileManager.default.fileExists(atPath: root + "/Resources/Views", isDirectory: &isDirectory) && isDirectory.boolValue
        let statics = FileManager.default.fileExists(atPath: root + "/Public", isDirectory: &isDirectory) && isDirectory.boolValue
        return views && statics
    }

    private static func absolute(_ path: String, from directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        let standardized = URL(fileURLWithPath: joined).standardizedFileURL.path
        return standardized.hasSuffix("/") ? standardized : standardized + "/"
    }

    public struct ResourcesMissing: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
