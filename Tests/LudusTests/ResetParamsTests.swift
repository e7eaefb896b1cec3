import Testing
import Ludus
import LudusCore
import LudusLua

/// Every reset hands the script a params table of its own: what a script writes into it
/// (changed values, added keys) never reaches the next episode, whichever copy the host
/// takes (a flat table from its key list, a nested one by the general deep copy).
@Suite struct ResetParamsTests {
    static let probe = """
        local E = { id = "params_probe", description = "a reset that writes to its params", version = "1.0.0",
          players = 1, observation_space = space.discrete(2), action_space = space.discrete(2),
          max_steps = 5, params = {} }
        function E.reset(self, params)
          local seen = {}
          for key, value in pairs(params) do
            seen[#seen + 1] = key .. "=" .. (type(value) == "table" and ("{" .. tostring(value[1]) .. "}") or tostring(value))
          end
          self.seen = table.concat(seen, ",")
          self.fresh = params ~= self.last
          self.last = params
          params.size = 99
          params.extra = true
          if type(params.weights) == "table" then params.weights[1] = -1 end
          return 0, {}
        end
        function E.step(self, action) return 0, 0, true, false, {} end
        return E
        """

    static let flat: Value = .table(["size": .int(3), "mode": .string("b"), "rate": .number(0.25), "on": .bool(false)])
    static let nested: Value = .table(["size": .int(3), "weights": .array([.int(7), .int(8)])])

    @Test(arguments: [("flat", flat), ("nested", nested)])
    func writesToParamsStayInTheirEpisode(kind: String, params: Value) throws {
        let env = try Package.catalog.load(Package.script(Self.probe))
        let script = env.script
        var seen: [String] = []
        for episode in 0..<4 {
            try script.reset(seed: UInt64(episode), params: params)
            let state = try script.state
            guard case .string(let text) = state["seen"] else { Issue.record("\(kind): no record of the params"); return }
            seen.append(text)
            #expect(state["fresh"] == .bool(true), "\(kind) episode \(episode): a new table every reset")
        }
        #expect(Set(seen).count == 1, "\(kind): every reset saw the same params, in the same order: \(seen)")
        #expect(!seen[0].contains("extra") && seen[0].contains("size=3"), "\(kind): \(seen[0])")
        if kind == "nested" { #expect(seen[0].contains("weights={7}"), "\(seen[0])") }
    }

    @Test func otherParamsTakeEffectAtOnce() throws {
        let env = try Package.catalog.load(Package.script(Self.probe))
        let script = env.script
        try script.reset(seed: 1, params: Self.flat)
        try script.reset(seed: 1, params: .table(["size": .int(5)]))
        #expect(try script.state["seen"] == .string("size=5"))
        try script.reset(seed: 1, params: .table([:]))
        #expect(try script.state["seen"] == .string(""))
        try script.reset(seed: 1, params: Self.flat)
        let again = try script.state["seen"]
        try script.reset(seed: 1, params: Self.flat)
        #expect(try script.state["seen"] == again)
    }
}
