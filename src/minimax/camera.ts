/**
 * MiniMax's camera commands (contract: "Camera commands in the prompt"). Hailuo reads them in
 * square brackets, spelled exactly so in English whatever the prompt's language, up to three in one
 * bracket. Users see localized phrases (locales: camera-<slug>); MiniMax sees these spellings.
 */
export const CAMERA_MOVES = [
  "Push in",
  "Pull out",
  "Zoom in",
  "Zoom out",
  "Pan left",
  "Pan right",
  "Tilt up",
  "Tilt down",
  "Truck left",
  "Truck right",
  "Pedestal up",
  "Pedestal down",
  "Tracking shot",
  "Static shot",
  "Shake",
] as const;
export type CameraMove = (typeof CAMERA_MOVES)[number];
export const MAX_CAMERA_MOVES = 3;

export const isCameraMove = (value: string): value is CameraMove => (CAMERA_MOVES as readonly string[]).includes(value);

/** The locale key of a move's short phrase: "Push in" → camera-push-in. */
export const cameraKey = (move: CameraMove) => `camera-${move.toLowerCase().replace(/ /g, "-")}`;

/** Moves as short codes for callback data (64 bytes at most): their index in CAMERA_MOVES. */
export const encodeMoves = (moves: readonly CameraMove[]) => moves.map((m) => CAMERA_MOVES.indexOf(m).toString(36)).join("");
export function decodeMoves(code: string): CameraMove[] {
  const moves: CameraMove[] = [];
  for (const c of code) {
    const move = CAMERA_MOVES[parseInt(c, 36)];
    if (move && !moves.includes(move)) moves.push(move);
  }
  return moves.slice(0, MAX_CAMERA_MOVES);
}

/** Adds `move` to the selection, or takes it out; a fourth move is refused (the selection stays). */
export function toggleMove(selected: readonly CameraMove[], move: CameraMove): CameraMove[] {
  if (selected.includes(move)) return selected.filter((m) => m !== move);
  return selected.length >= MAX_CAMERA_MOVES ? [...selected] : [...selected, move];
}

const MOVE_IN_BRACKETS = new RegExp(`\\[[^\\]]*\\b(${CAMERA_MOVES.join("|")})\\b[^\\]]*\\]`, "i");
const MOVES_IN_BRACKETS = new RegExp(MOVE_IN_BRACKETS.source, "gi");

/** True when the text already carries a bracket command: the user steers the camera themselves. */
export const hasCameraCommand = (prompt: string) => MOVE_IN_BRACKETS.test(prompt);

/** The prompt MiniMax gets: the user's text, plus the chosen moves in one bracket unless they wrote their own. */
export function withCameraMoves(prompt: string, moves: readonly CameraMove[]): string {
  if (moves.length === 0 || hasCameraCommand(prompt)) return prompt;
  return `${prompt} [${moves.slice(0, MAX_CAMERA_MOVES).join(", ")}]`;
}

/**
 * A variant pack member's prompt: the user's text with its own bracket commands taken out (the pack
 * is there to vary the camera) and the member's move in their place.
 */
export function withPackMove(prompt: string, move: CameraMove): string {
  const text = prompt.replace(MOVES_IN_BRACKETS, " ").replace(/\s{2,}/g, " ").trim();
  return `${text} [${move}]`.trim();
}

/** The camera moves of a variant pack, one per member: each sells a product in its own way. */
export const PACK_MOVES: readonly CameraMove[] = ["Push in", "Truck left", "Static shot"];
