extension Array {
    /// The elements in runs of at most `size`, in order: lists of ids bound into `IN (…)` stay
    /// under the databases' limits on bound values.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) }
    }
}
