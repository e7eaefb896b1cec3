import Foundation
import Testing
import Ludus
import LudusLua

/// The Box2D host library: real physics from Swift (``PhysicsWorld``) and from Lua
/// (`physics2d`), determinism of the walkers, and clear errors for misuse.
@Suite struct PhysicsTests {
    // MARK: - Physics, driven from Swift

    @Test func aBodyFallsUnderGravityByTheRightAmount() throws {
        let world = PhysicsWorld(gravityY: -10, allowSleep: false)
        let ball = try world.body(.dynamic, x: 0, y: 10)
        try world.addCircle(ball, radius: 0.5, .init(density: 1))
        let dt = 1.0 / 60
        for _ in 0..<60 { try world.step(dt) }
        // Box2D integrates semi-implicitly: v_k = -g k dt, y_n = y_0 - g dt^2 n (n + 1) / 2.
        let expected = 10 - 10 * dt * dt * 60 * 61 / 2
        let state = try world.state(ball)
        #expect(abs(state.y - expected) < 1e-3, "y = \(state.y), expected \(expected)")
        #expect(abs(state.vy - -10) < 1e-3)
        #expect(abs(state.x) < 1e-9)
    }

    @Test func aRayCastHitsAtTheRightFractionAndHonoursTheMask() throws {
        let world = PhysicsWorld()
        let ground = try world.body(.static)
        try world.addEdge(ground, -10, 1, 10, 1, .init(category: 0x0001))
        let wall = try world.body(.static)
        try world.addBox(wall, halfWidth: 0.5, halfHeight: 5, .init(category: 0x0002))
        let down = try world.raycast(from: (3, 5), to: (3, -3), mask: 0x0001)
        #expect(abs(down.fraction - 0.5) < 1e-6)
        #expect(down.body == ground)
        #expect(abs(down.y - 1) < 1e-5)
        // The wall (category 2) is in the way, but a ground-only mask sees through it.
        let across = try world.raycast(from: (-4, 3), to: (4, 3), mask: 0x0001)
        #expect(across.fraction == 1 && across.body == nil)
        let blocked = try world.raycast(from: (-4, 3), to: (4, 3), mask: 0x0002)
        #expect(blocked.body == wall)
        #expect(abs(blocked.fraction - 3.5 / 8) < 1e-3)  // the box's face at x = -0.5 (plus Box2D's skin)
    }

    @Test func aMotorTurnsAJointAtItsSpeed() throws {
        let world = PhysicsWorld(gravityY: 0, allowSleep: false)
        let base = try world.body(.static)
        let arm = try world.body(.dynamic, x: 1, y: 0)
        try world.addBox(arm, halfWidth: 1, halfHeight: 0.1, .init(density: 1))
        let joint = try world.revolute(base, arm, anchorA: (0, 0), anchorB: (-1, 0), motorSpeed: 1, maxTorque: 1000)
        for _ in 0..<60 { try world.step(1.0 / 60) }
        let (angle, speed) = try world.joint(joint)
        #expect(abs(angle - 1) < 0.05, "angle \(angle)")
        #expect(abs(speed - 1) < 1e-3)
        // Reversed at twice the speed, it is back at zero after half a second.
        try world.setMotor(joint, speed: -2, maxTorque: 1000)
        for _ in 0..<30 { try world.step(1.0 / 60) }
        #expect(abs(try world.joint(joint).angle - 0) < 0.05)
    }

    @Test func contactEventsFireOnTouchAndRelease() throws {
        let world = PhysicsWorld(gravityY: -10)
        let ground = try world.body(.static)
        try world.addEdge(ground, -5, 0, 5, 0)
        let box = try world.body(.dynamic, x: 0, y: 1)
        try world.addBox(box, halfWidth: 0.25, halfHeight: 0.25, .init(density: 1))
        var began: [PhysicsWorld.ContactEvent] = []
        for _ in 0..<60 where began.isEmpty {
            try world.step(1.0 / 60)
            began = world.contacts.filter(\.began)
        }
        #expect(began.count == 1)
        #expect(Set([began.first?.bodyA, began.first?.bodyB]) == Set([ground, box]))
        var ended: [PhysicsWorld.ContactEvent] = []
        for _ in 0..<60 where ended.isEmpty {
            try world.applyForce(box, 0, 200)
            try world.step(1.0 / 60)
            ended = world.contacts.filter { !$0.began }
        }
        #expect(ended.count == 1)
    }

    @Test func aWorldHoldsAtMostTheBodyCap() throws {
        let world = PhysicsWorld()
        for _ in 0..<2048 { _ = try world.body(.static) }
        #expect(throws: PhysicsWorld.Failure.limit) { try world.body(.static) }
        #expect(world.bodyCount == 2048)
    }

    // MARK: - physics2d from Lua

    /// Runs a chunk in a fresh sandboxed VM and returns its first result.
    func lua(_ source: String) throws(ScriptError) -> Value {
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 64 << 20, callMilliseconds: 5000))
        let ref = try vm.run(source: source, chunkName: "physics.lua")
        return try vm.value(of: ref)
    }

    func scriptError(_ source: String) -> String? {
        do {
            _ = try lua(source)
            return nil
        } catch {
            if case .script(_, let message, _) = error { return message }
            return "not a script error: \(error)"
        }
    }

    @Test func luaDropsABallOntoTheGroundAndSeesTheContact() throws {
        let result = try lua("""
            local world = physics2d.world(0, -10)
            local ground = world:body{ type = "static" }
            ground:edge(-10, 0, 10, 0, { friction = 0.5 })
            local ball = world:body{ type = "dynamic", x = 0, y = 2 }
            ball:circle(0.5, { density = 1, restitution = 0 })
            local touched = false
            for _ = 1, 120 do
              world:step(1 / 60, 8, 3)
              for i = 1, world:contact_count() do
                local began, a, b = world:contact(i)
                if began and (a == ball:id() or b == ball:id()) then touched = true end
              end
            end
            local x, y = ball:position()
            local f = world:raycast(0, 5, 0, -5, 0x0001)
            local out = {}
            world:raycast_fan(3, 2, { 0, 1 }, { -4, -4 }, 0x0001, out)
            return { touched, y, f, out[1], out[2] }
            """)
        let values = result.arrayValue ?? []
        #expect(values.first == .bool(true))
        #expect(abs((values[1].doubleValue ?? 0) - 0.5) < 0.02)  // resting on the ground
        #expect(abs((values[2].doubleValue ?? 0) - 0.4) < 0.02)   // the ball's top at y = 1 of 0..10 down
        #expect(values[3].doubleValue == 0.5)
        #expect(abs((values[4].doubleValue ?? 0) - 0.5) < 1e-6)
    }

    @Test func luaHitsTheBodyCapWithAClearError() {
        let message = scriptError("""
            local world = physics2d.world(0, -10)
            for i = 1, 5000 do world:body{ type = "static", x = i } end
            """)
        #expect(message?.contains("at most 2048 bodies") == true, "\(message ?? "no error")")
    }

    @Test(arguments: [
        ("physics2d.world(0, -10):body{ type = 'dynamic' }:polygon({ 0, 0, 1, 0 })", "3 to 8 vertices"),
        ("physics2d.world(0, -10):body{}:polygon({ {0, 0}, {2, 0}, {1, 0.1}, {1, 2}, {0, 2} })", "convex"),
        ("physics2d.world(0, -10):body{ kind = 'dynamic' }", "unknown field 'kind'"),
        ("physics2d.world(0, -10):body{ type = 'wobbly' }", "static"),
        ("local w = physics2d.world(0, -10); w:step(0, 1, 1)", "dt"),
        ("local w = physics2d.world(0, -10); local b = w:body{}; w.step(b, 1, 1, 1)", "ludus.physics2d.world expected"),
        ("local w = physics2d.world(0, -10); local b = w:body{}; w:destroy(); b:position()", "destroyed"),
        ("local w = physics2d.world(0, 0/0)", "finite"),
        ("local w = physics2d.world(0, -10); local a = w:body{}; w:revolute_joint{ a = a, b = a }", "bodies must differ"),
        ("local w = physics2d.world(0, -10); local a = w:body{}; w:revolute_joint{ a = a, b = 3 }", "'b' must be a body"),
        ("local w = physics2d.world(0, -10); w:body{}:box(1, 1, { density = -1 })", "bad argument"),
        ("local w = physics2d.world(0, -10); local t = {} for i = 1, 17 do t[i] = physics2d.world(0, -10) end", "live worlds"),
        ("assert(getmetatable(physics2d.world(0, 0)) == 'locked'); error('the metatable is hidden')", "hidden"),
    ])
    func misuseIsAScriptErrorNotACrash(source: String, expected: String) {
        let message = scriptError(source)
        #expect(message?.contains(expected) == true, "\(source): \(message ?? "no error")")
    }

    @Test func unreachableWorldsAreCollectedSoALoopCanMakeMany() throws {
        let result = try lua("""
            for i = 1, 200 do
              local w = physics2d.world(0, -10)
              w:body{ type = "dynamic" }:circle(1, { density = 1 })
              w:step(1 / 60, 8, 3)
            end
            return true
            """)
        #expect(result == .bool(true))
    }

    // MARK: - The walkers

    @Test(arguments: ["walker/bipedal", "walker/stump_tracks"])
    func sameSeedAndActionsGiveIdenticalBitsInTwoFreshVMs(id: String) throws {
        func play() throws -> [UInt64] {
            let env = try Package.catalog.load(id)
            try env.reset(seed: 42, params: env.spec.parameters.defaults)
            var generator = SeededGenerator(seed: 7)
            var bits: [UInt64] = env.observation.numbers.map(\.bitPattern)
            for _ in 0..<150 {
                let action = (0..<4).map { _ in Double.random(in: -1...1, using: &generator) }
                let step = try env.step(.vector(action))
                bits += env.observation.numbers.map(\.bitPattern)
                bits.append(step.rewards[0].bitPattern)
                if step.isDone { break }
            }
            return bits
        }
        let first = try play()
        #expect(first.count > 24 * 10)
        #expect(first == (try play()))
    }

    @Test func theWalkerStartsStandingAndItsLidarSeesTheGround() throws {
        let env = try Package.catalog.load("walker/bipedal")
        try env.reset(seed: 1, params: env.spec.parameters.defaults)
        let obs = Array(env.observation.numbers)
        #expect(obs.count == 24)
        #expect(abs(obs[0]) < 0.1)                          // hull level
        #expect(obs[14...].allSatisfy { $0 > 0 && $0 <= 1 })  // lidar sees the ground
        #expect(obs[8] == 1 && obs[13] == 1)                // both feet on the ground
        // Knees folded at full torque, hips limp: the hull drops onto the ground, -100 and terminated.
        var last: Step? = nil
        for _ in 0..<200 {
            last = try env.step(.vector([0, -1, 0, -1]))
            if last!.isDone { break }
        }
        #expect(last?.terminated == true)
        #expect(last?.rewards[0] == -100)
    }

    @Test func specsDeclareTheWalkersUnclonable() throws {
        for id in ["walker/bipedal", "walker/stump_tracks"] {
            let spec = try Package.catalog.load(id).spec
            #expect(spec.clonable == false)
        }
        let stumps = try Package.catalog.load("walker/stump_tracks").spec
        #expect(stumps.rewardRange == -150...350)
        #expect(stumps.returnsWithinRewardRange == false)
        #expect(stumps.successThreshold == 230)
        #expect(stumps.maxSteps == 2000)
    }
}
