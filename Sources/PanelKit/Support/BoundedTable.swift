import Foundation

/// A dictionary shared by every thread of the process that starts again empty once it holds
/// `limit` entries: a memo of work that is cheap to redo and must not grow without end over a
/// long book (sketch arrangements, shaped text).
final class BoundedTable<Key: Hashable, Value>: @unchecked Sendable {
    private let limit: Int
    private let lock = NSLock()
    private var entries: [Key: Value] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    subscript(key: Key) -> Value? {
        lock.withLock { entries[key] }
    }

    func store(_ value: Value, for key: Key) {
        lock.withLock {
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }

    func removeAll() {
        lock.withLock { entries.removeAll() }
    }
}
