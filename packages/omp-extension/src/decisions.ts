// The approval gate and the `ask` tool of a bot run: a `tool_call` handler that sends each call the run's
// policy (OMPCORD_RUN_APPROVALS) says must ask to a person through the sidecar and holds the tool until
// they decide, and a tool through which the agent asks the person a question. Both call the sidecar
// directly, never through the telemetry queue (which drops under pressure), and fail closed: a sidecar
// that is down, refuses or never answers blocks the call with a reason the agent can read.

import type { ExtensionAPI } from "@oh-my-pi/pi-coding-agent";
import { approvalFor, isApprovalPolicy } from "../../../src/approvals/policy.js";
import type { ApprovalPolicy } from "../../../src/config/types.js";
import {
  DECISION_HOLD_MS,
  type DecisionAnswer,
  type DecisionRequestBody,
  type QuestionBody,
  RUN_ENV,
  SIDECAR_ROUTES,
} from "../../../src/extension-protocol.js";
import { CallError, call } from "./http.js";

/** The agent's question tool: omp's own `ask` does not exist under `-p` (omp-facts §4.3). */
export const ASK_TOOL = "ask";

/** Time on top of a held request before the extension gives up on an answer. */
const HOLD_SLACK_MS = 15_000;
/** Consecutive failed waits after which the gate stops retrying and blocks. */
const MAX_WAIT_FAILURES = 3;

export interface DecisionClientOptions {
  apiUrl: string;
  token: string;
  sessionId: string;
}

/** The run's side of the decisions routes: ask, then wait until settled. */
export class DecisionClient {
  readonly #base: string;
  readonly #token: string;
  readonly #sessionId: string;

  constructor(options: DecisionClientOptions) {
    this.#base = options.apiUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#sessionId = options.sessionId;
  }

  /** Asks and holds until the decision is settled; throws a CallError when the sidecar fails for good. */
  async decide(request: Omit<DecisionRequestBody, "session_id" | "wait_ms">): Promise<DecisionAnswer> {
    const first = await call(`${this.#base}${SIDECAR_ROUTES.decisions}`, {
      method: "POST",
      token: this.#token,
      body: { ...request, session_id: this.#sessionId, wait_ms: DECISION_HOLD_MS },
      timeoutMs: DECISION_HOLD_MS + HOLD_SLACK_MS,
    });
    let answer = first.body as DecisionAnswer;
    let failures = 0;
    while (answer?.state === "pending") {
      const path = SIDECAR_ROUTES.decisionWait.replace(":id", encodeURIComponent(answer.id));
      try {
        const next = await call(
          `${this.#base}${path}?session_id=${encodeURIComponent(this.#sessionId)}&wait_ms=${DECISION_HOLD_MS}`,
          { token: this.#token, timeoutMs: DECISION_HOLD_MS + HOLD_SLACK_MS },
        );
        answer = next.body as DecisionAnswer;
        failures = 0;
      } catch (error) {
        // A refusal will not change; a sidecar that blinked may come back within the timeout.
        if (!(error instanceof CallError) || !error.retryable || ++failures >= MAX_WAIT_FAILURES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000 * failures));
      }
    }
    if (!answer || (answer.state !== "allow" && answer.state !== "block")) {
      throw new CallError("malformed_json", "the sidecar's answer has no decision");
    }
    return answer;
  }
}

/** Why a call is blocked when the sidecar cannot be asked: the agent reads it as the tool's error. */
export function unreachableReason(error: unknown): string {
  const detail =
    error instanceof CallError && error.serverMessage
      ? error.serverMessage
      : error instanceof Error
        ? error.message
        : String(error);
  return `This tool call needs a person's approval in Discord, and ompcord could not ask for it (${detail}). It was not run. Try again later or say in your answer what you need approved.`;
}

/** The run's policy from its environment; a bot run without a readable one asks for everything. */
export function runPolicy(env: Record<string, string | undefined>): ApprovalPolicy | undefined {
  const value = env[RUN_ENV.approvals];
  if (value === undefined || value === "") return undefined;
  return isApprovalPolicy(value) ? value : "all";
}

type ToolCallEvent = { toolCallId?: unknown; toolName?: unknown; input?: unknown };
type Block = { block: true; reason: string } | undefined;

/**
 * Registers the gate on this instance (the root and every subagent: each has its own `tool_call`
 * events). `client` undefined: a run that should ask has no sidecar, so every call that asks is blocked.
 */
export function registerGate(
  pi: ExtensionAPI,
  policy: ApprovalPolicy,
  client: DecisionClient | undefined,
  redact: (text: string) => string,
): void {
  if (policy === "off") return;
  const handler = async (event: ToolCallEvent): Promise<Block> => {
    try {
      const toolName = typeof event?.toolName === "string" ? event.toolName : "";
      const verdict = approvalFor(policy, toolName, event?.input);
      // An `xd://` write runs a device: omp fires `tool_call` again for the device itself, gated there.
      if (toolName === "write" && verdict.call.tool !== "write") return undefined;
      if (!verdict.ask) return undefined;
      if (!client) {
        return { block: true, reason: unreachableReason(new Error("this run has no sidecar")) };
      }
      const answer = await client.decide({
        kind: "approval",
        tool_name: toolName,
        ...(typeof event.toolCallId === "string" ? { tool_call_id: event.toolCallId } : {}),
        input: event.input,
      });
      if (answer.state === "allow") return undefined;
      return { block: true, reason: redact(answer.reason ?? "The person denied this tool call.") };
    } catch (error) {
      // Never undefined here: a gate that fails lets nothing through.
      return { block: true, reason: unreachableReason(error) };
    }
  };
  (pi.on as (event: string, handler: (event: ToolCallEvent) => Promise<Block>) => void)("tool_call", handler);
}

/** The `ask` tool: one question, optional choices, the person's answer as the result. */
export function registerAskTool(pi: ExtensionAPI, client: DecisionClient | undefined): void {
  const z = pi.zod;
  pi.registerTool({
    name: ASK_TOOL,
    label: "Ask the person",
    description: [
      "Ask the person who started this session a question in their Discord thread and wait for the answer.",
      "Give `options` when the answer is one of a few choices (they become buttons or a menu); leave them out for a free-text answer.",
      "Ask only what you cannot decide yourself: the person may be away, and without an answer in time you are told so.",
    ].join(" "),
    parameters: z.object({
      question: z.string().describe("The question, plain text, one or two sentences."),
      header: z.string().optional().describe("A short label such as 'Branch' (optional)."),
      options: z
        .array(
          z.object({
            label: z.string().describe("The choice as shown."),
            description: z.string().optional(),
          }),
        )
        .optional()
        .describe("The choices, if the answer is one of them (up to 25 as a menu)."),
      multi: z.boolean().optional().describe("Several options may be chosen."),
      recommended: z.number().optional().describe("Index of the option you recommend."),
    }),
    loadMode: "essential",
    // Asking changes nothing on this machine.
    approval: "read",
    async execute(toolCallId, params) {
      const question = params as QuestionBody;
      if (typeof question?.question !== "string" || question.question.trim() === "") {
        throw new Error("Expected `question` to be the question to ask, got nothing.");
      }
      if (!client)
        throw new Error("This run cannot reach Discord; decide yourself and say so in your answer.");
      let answer: DecisionAnswer;
      try {
        answer = await client.decide({
          kind: "question",
          tool_name: ASK_TOOL,
          tool_call_id: toolCallId,
          question,
        });
      } catch (error) {
        throw new Error(
          `The question could not be asked (${error instanceof CallError && error.serverMessage ? error.serverMessage : error instanceof Error ? error.message : String(error)}). Decide yourself and say so in your answer.`,
        );
      }
      if (answer.state === "allow") {
        return { content: [{ type: "text", text: answer.answer ?? "" }] };
      }
      return { content: [{ type: "text", text: answer.reason ?? "No answer." }], isError: true };
    },
  });
}
