/// How a panel came out of the chain.
public enum PanelStatus: String, Sendable, CaseIterable {
    case passed, failed, forced, skipped, stale
}

/// One panel after the chain: every stage's result, what was skipped or failed, and the verdict.
public struct PanelOutcome: Sendable {
    public enum StageState: Sendable, Equatable {
        case done
        case skipped(String)
        case failed(String)
    }

    public var results: StageResults
    public var stageStates: [StageID: StageState]
    public var status: PanelStatus
    /// Why the panel failed (blocker notes, stage failures); empty when it passed.
    public var reasons: [String]
    /// A failure that should stop the whole run (a rejected API key).
    public var stopsRun: StageFailure?
}

/// The stages as a DAG derived from their declared dependencies. Independent stages of a panel run
/// at the same time; a stage whose input was skipped or failed is skipped.
public struct PanelChain: Sendable {
    public let stages: [any PanelStage]

    public static let standard = PanelChain(stages: [
        ThemeStage(), RolesStage(), RewriteStage(), RoleValidationStage(), ImagePromptStage(), BubblesStage(), ChecklistStage(),
    ])

    public init(stages: [any PanelStage]) {
        let ids = Set(stages.map(\.id))
        for stage in stages {
            precondition(stage.dependencies.isSubset(of: ids), "\(stage.id) depends on a stage that is not in the chain")
        }
        self.stages = stages
        precondition(Self.topologicalOrder(stages) != nil, "the stage dependencies form a cycle")
    }

    static func topologicalOrder(_ stages: [any PanelStage]) -> [StageID]? {
        var order: [StageID] = []
        var remaining = stages
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.dependencies.isSubset(of: Set(order)) }) else { return nil }
            order.append(remaining.remove(at: next).id)
        }
        return order
    }

    /// The longest chain of dependent model calls: the least wall time a panel can take.
    public var criticalPathLength: Int {
        var depth: [StageID: Int] = [:]
        for id in Self.topologicalOrder(stages) ?? [] {
            let stage = stages.first { $0.id == id }!
            depth[id] = (stage.dependencies.map { depth[$0] ?? 0 }.max() ?? 0) + (id == .roleValidation ? 0 : 1)
        }
        return depth.values.max() ?? 0
    }

    private enum State {
        case pending, running, done(blocking: String?), skipped(String), failed(String)
    }

    public func run(_ context: StageContext, model: any StageModel) async -> PanelOutcome {
        var states: [StageID: State] = Dictionary(uniqueKeysWithValues: stages.map { ($0.id, State.pending) })
        var results = StageResults()
        var stopsRun: StageFailure?

        await withTaskGroup(of: (StageID, Result<StageOutput, StageFailure>).self) { group in
            func startReady() {
                var changed = true
                while changed {
                    changed = false
                    for stage in stages {
                        guard case .pending = states[stage.id] else { continue }
                        var waiting = false
                        var blockedBy: String?
                        for dependency in stage.dependencies {
                            switch states[dependency]! {
                            case .pending, .running: waiting = true
                            case .done(let blocking): if let blocking, !context.force { blockedBy = blockedBy ?? blocking }
                            case .skipped(let reason), .failed(let reason): blockedBy = blockedBy ?? reason
                            }
                        }
                        if waiting { continue }
                        if let blockedBy, !stage.runsWithSkippedDependencies {
                            states[stage.id] = .skipped(blockedBy)
                            changed = true
                            continue
                        }
                        states[stage.id] = .running
                        let snapshot = results
                        group.addTask {
                            do throws(StageFailure) {
                                return (stage.id, .success(try await stage.run(context, snapshot, model)))
                            } catch {
                                return (stage.id, .failure(error))
                            }
                        }
                    }
                }
            }
            startReady()
            for await (id, outcome) in group {
                switch outcome {
                case .success(let output):
                    results.store(output)
                    states[id] = .done(blocking: Self.blockingReason(output))
                case .failure(let failure):
                    states[id] = .failed("\(id.rawValue) failed: \(failure.message)")
                    if failure.stopsRun { stopsRun = stopsRun ?? failure }
                }
                if stopsRun == nil { startReady() }
            }
        }

        var stageStates: [StageID: PanelOutcome.StageState] = [:]
        var reasons: [String] = []
        for stage in stages {
            switch states[stage.id]! {
            case .done: stageStates[stage.id] = .done
            case .skipped(let reason): stageStates[stage.id] = .skipped(reason)
            case .failed(let reason):
                stageStates[stage.id] = .failed(reason)
                reasons.append(reason)
            case .pending, .running: stageStates[stage.id] = .skipped("the run stopped")
            }
        }
        let blockers = results.checklist?.failedBlockers ?? []
        reasons += blockers.map { "\($0.id): \($0.note)" }
        let status: PanelStatus
        let capped = stageStates.values.contains { if case .failed(let reason) = $0 { return reason.contains(StageFailure.costCap) } else { return false } }
        if capped {
            status = .skipped
        } else if stopsRun != nil || stageStates.values.contains(where: { if case .failed = $0 { return true } else { return false } }) {
            status = .failed
        } else if results.checklist == nil {
            status = .skipped
        } else if !blockers.isEmpty {
            status = context.force ? .forced : .failed
        } else {
            status = .passed
        }
        return PanelOutcome(results: results, stageStates: stageStates, status: status, reasons: reasons, stopsRun: stopsRun)
    }

    /// Unresolved roles stop the stages after role validation (unless forced): no unknown name
    /// may reach an image prompt, and a panel that will fail should not spend model calls.
    static func blockingReason(_ output: StageOutput) -> String? {
        guard case .roleValidation(let validation) = output else { return nil }
        if validation.databaseMissing != nil { return "roles could not be checked: no character database" }
        if !validation.unresolved.isEmpty {
            return "unresolved roles: \(validation.unresolved.map(\.role).joined(separator: ", "))"
        }
        return nil
    }
}
