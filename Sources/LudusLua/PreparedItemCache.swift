import CLua
import Foundation

/// The items a script prepared (`E.prepare_item`), kept in the registry and found again by
/// the item's JSON bytes: a batch scores many answers per item (a GRPO group, the bench's
/// 50 rounds of 400 answers over 200 items), and parsing the item, a question and two 9x9
/// grids for Sudoku, was most of the work of a line. Bounded (``capacity`` items); when full,
/// the second-chance clock drops an item not used since the hand last passed it.
///
/// The cache changes only speed: a prepared item is a pure function of the item's bytes (the
/// hooks' contract, ScriptEnvironment+PreparedItems.swift), so a hit, a miss or an eviction
/// scores alike.
final class PreparedItemCache {
    /// What a cached item is scored with.
    enum Prepared: Equatable {
        /// `E.score_prepared` with the prepared value at this registry reference.
        case ref(LuaRef)
        /// `E.score_item`: `E.prepare_item` returned nil or failed for this item.
        case unprepared
    }

    private struct Entry {
        var bytes: [UInt8]
        var hash: UInt64
        var prepared: Prepared
        var used: Bool
    }

    let capacity: Int
    private let vm: LuaVM
    private var entries: [Entry] = []
    private var slots: [UInt64: Int] = [:]
    private var hand = 0
    /// Lookups that found their item, and items inserted (for tests and profiles).
    private(set) var hits = 0, misses = 0

    init(vm: LuaVM, capacity: Int = 1024) {
        precondition(capacity > 0, "a cache holds at least one item")
        self.vm = vm
        self.capacity = capacity
    }

    deinit {
        for entry in entries { if case .ref(let ref) = entry.prepared { vm.release(ref) } }
    }

    var count: Int { entries.count }

    /// What the item with these bytes was prepared to, if it is cached.
    func lookup(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Prepared? {
        guard let slot = slots[hash] else { return nil }
        let found = entries[slot].bytes.withUnsafeBytes { stored in
            stored.count == bytes.count && memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
        guard found else { return nil }
        entries[slot].used = true
        hits += 1
        return entries[slot].prepared
    }

    /// Caches what the item with these bytes was prepared to (the cache owns the reference
    /// from now on), dropping the item it replaces (one with the same hash, or the clock's).
    func insert(_ bytes: UnsafeRawBufferPointer, hash: UInt64, _ prepared: Prepared) {
        misses += 1
        let entry = Entry(bytes: Array(bytes), hash: hash, prepared: prepared, used: false)
        if let slot = slots[hash] {
            replace(slot, with: entry)
        } else if entries.count < capacity {
            slots[hash] = entries.count
            entries.append(entry)
        } else {
            while entries[hand].used {
                entries[hand].used = false
                hand = (hand + 1) % capacity
            }
            slots[entries[hand].hash] = nil
            slots[hash] = hand
            replace(hand, with: entry)
            hand = (hand + 1) % capacity
        }
    }

    private func replace(_ slot: Int, with entry: Entry) {
        if case .ref(let ref) = entries[slot].prepared { vm.release(ref) }
        entries[slot] = entry
    }

    /// A 64-bit hash of the item's bytes, a word at a time (the item is a kilobyte or two;
    /// the table's own hashing then only sees this word). Collisions cost a miss, never a
    /// wrong item: ``lookup(_:hash:)`` compares the bytes.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var k = 0
        while k + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            k += 8
        }
        while k < bytes.count {
            h = (h ^ UInt64(bytes[k])) &* 0x0000_0100_0000_01B3
            k += 1
        }
        return h ^ (h >> 32)
    }
}
