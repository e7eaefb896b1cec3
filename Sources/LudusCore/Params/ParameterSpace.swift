import Foundation

/// A value given for a parameter that the environment cannot take.
public struct ParameterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var environment: String
    public var parameter: String
    public var message: String
    public var description: String { "\(environment): parameter '\(parameter)': \(message)" }

    public init(environment: String, parameter: String, message: String) {
        self.environment = environment
        self.parameter = parameter
        self.message = message
    }
}

/// The declared parameters of an environment: validation, defaults and sampling.
public struct ParameterSpace: Hashable, Sendable {
    /// Sorted by name, so iteration (and so sampling) is deterministic.
    public var parameters: [Parameter]

    public init(parameters: [Parameter]) { self.parameters = parameters.sorted { $0.name < $1.name } }

    init(lua value: Value) throws(SpecError) {
        switch value {
        case .nil: self.init(parameters: [])
        case .table(let fields):
            var parsed: [Parameter] = []
            for name in fields.keys.sorted() { parsed.append(try Parameter(name: name, lua: fields[name]!)) }
            self.init(parameters: parsed)
        case .array(let items) where items.isEmpty: self.init(parameters: [])
        default: throw SpecError("params must be a table of named parameters, got \(value.typeName)")
        }
    }

    public var isEmpty: Bool { parameters.isEmpty }
    public subscript(name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// Every parameter at its default.
    public var defaults: [String: Value] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.defaultValue) })
    }

    /// Checks the given values and fills in defaults.
    /// - Throws: ``ParameterError`` naming the parameter and its range.
    public func resolve(_ given: [String: Value], environment: String) throws(ParameterError) -> [String: Value] {
        var resolved = defaults
        for (name, value) in given {
            guard let parameter = self[name] else {
                let known = parameters.map(\.name).joined(separator: ", ")
                throw ParameterError(environment: environment, parameter: name,
                                     message: "unknown parameter (known: \(known.isEmpty ? "none" : known))")
            }
            if let problem = parameter.problem(with: value) {
                throw ParameterError(environment: environment, parameter: name, message: "\(problem); expected \(parameter.domain)")
            }
            resolved[name] = parameter.kind == .float ? .number(value.doubleValue!) : value
        }
        return resolved
    }

    /// Parses `name=value` strings from the command line.
    public func parse(_ assignments: [String], environment: String) throws(ParameterError) -> [String: Value] {
        var given: [String: Value] = [:]
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "=") else {
                throw ParameterError(environment: environment, parameter: assignment, message: "expected name=value")
            }
            let name = String(assignment[..<eq])
            let text = String(assignment[assignment.index(after: eq)...])
            guard let parameter = self[name] else {
                let known = parameters.map(\.name).joined(separator: ", ")
                throw ParameterError(environment: environment, parameter: name,
                                     message: "unknown parameter (known: \(known.isEmpty ? "none" : known))")
            }
            if parameter.kind == .string, text.hasPrefix("@") {
                // `--param layout=@level.txt`: the text of a file.
                guard let contents = try? String(contentsOfFile: String(text.dropFirst()), encoding: .utf8) else {
                    throw ParameterError(environment: environment, parameter: name, message: "cannot read \(text.dropFirst())")
                }
                given[name] = .string(contents)
            } else {
                given[name] = parameter.parse(text)
            }
        }
        return try resolve(given, environment: environment)
    }

    /// Uniformly random values for every parameter.
    public func sample(using generator: inout SeededGenerator) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.sample(using: &generator)) })
    }
}
