// Users of the loops see the core's types (values, spaces, the Environment protocol).
@_exported import LudusCore
