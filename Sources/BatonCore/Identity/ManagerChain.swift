/// Reporting lines: who manages whom. A chain must never loop back on itself.
public enum ManagerChain {
    /// True when making `manager` the manager of `person` would create a loop
    /// (including managing oneself). `managers` maps each person to their current manager.
    public static func wouldLoop<ID: Hashable>(person: ID, manager: ID, managers: [ID: ID]) -> Bool {
        var current: ID? = manager
        var seen: Set<ID> = []
        while let step = current {
            if step == person { return true }
            if !seen.insert(step).inserted { return false }
            current = managers[step]
        }
        return false
    }
}
