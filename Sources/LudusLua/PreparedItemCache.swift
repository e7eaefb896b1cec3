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

    /// The largest item (JSON bytes) kept: 1024 of them stay well inside the VM's memory
    /// (256 MiB by default); a larger one is scored the general way, never cached.
    static let largestItem = 64 << 10

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
    /// Four independent lanes of 8-byte words (one chain of multiplies was a few percent
    /// of a Sudoku batch), folded together at the end.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let m: UInt64 = 0xFF51_AFD7_ED55_8CCD
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count), b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        var c: UInt64 = 0x1656_67B1_9E37_79F9, d: UInt64 = 0x27D4_EB2F_1656_67C5
        var k = 0
        while k + 32 <= bytes.count {
            a = (a ^ bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* m
            b = (b ^ bytes.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self)) &* m
            c = (c ^ bytes.loadUnaligned(fromByteOffset: k + 16, as: UInt64.self)) &* m
            d = (d ^ bytes.loadUnaligned(fromByteOffset: k + 24, as: UInt64.self)) &* m
            a ^= a >> 29; b ^= b >> 29; c ^= c >> 29; d ^= d >> 29
            k += 32
        }
        var h = a ^ (b &* 31) ^ (c &* 961) ^ (d &* 29791)
        while k < bytes.count {
            h = (h ^ UInt64(bytes[k])) &* 0x0000_0100_0000_01B3
            k += 1
        }
        h = (h ^ (h >> 33)) &* m
        return h ^ (h >> 32)
    }
}
