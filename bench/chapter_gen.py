"""The generated chapters the benchmarks run: varied panels, casts, shots and lettering, the same
for the same seed."""
import random

cast = [("Mira", "Mira Okafor"), ("Theo", "Theo Brandt"), ("Grandma Ada", "Ada"), ("Officer Bly", "Bly")]
shots = ["WIDE SHOT", "CLOSE-UP", "MEDIUM SHOT", "ESTABLISHING SHOT", "OVER THE SHOULDER", None]
places = ["the market", "the bank counter", "the town square", "Theo's stall", "the ledger table", "a quiet lane"]
actions = ["counts coins", "writes a line in the ledger", "holds a note up to the light", "points at the crowd",
           "checks a copy of the ledger", "hands over a banknote", "frowns at a torn receipt", "laughs at a joke"]
moods = ["tense", "warm", "curious", "playful", "calm"]
points = ["a shared record stops cheating", "money is a promise", "a price is an agreement", "copies must agree"]

def chapter(panels, seed):
    rng = random.Random(seed)
    out = [f"---\nchapter: 7\ntitle: Bench {panels}\ntone: warm, curious\nstyle: clean flat-color webcomic\n"
           "palette: [teal, cream]\ncommon_example: paying for apples with a banknote\n---\n\n# Chapter 7: Bench\n"]
    for index in range(panels):
        page, number = index // 8 + 1, index % 8 + 1
        if number == 1:
            out.append(f"\n## Page {page}\n")
        who = rng.sample(cast, rng.randint(1, 3))
        shot = rng.choice(shots)
        scene = f"{who[0][0]} {rng.choice(actions)} at {rng.choice(places)} (moment {index})."
        if len(who) > 1:
            scene += f" {who[1][0]} watches and {rng.choice(actions)}."
        body = [f"### Panel {number}", "", (f"{shot}: " if shot else "") + scene, ""]
        if rng.random() < 0.5:
            body += [f"**Characters:** {', '.join(w[0] for w in who)}", ""]
        if rng.random() < 0.4:
            body += [f"**Teaching point:** {rng.choice(points)}.", ""]
        if rng.random() < 0.3:
            body += [f"**Mood:** {rng.choice(moods)}", ""]
        for speaker, _ in who[:rng.randint(0, min(2, len(who)))]:
            body.append(f"**{speaker}:** Line {index} from {speaker.split()[-1]}, about {rng.choice(places)}.")
        if rng.random() < 0.2:
            body += ["", f"Caption: Later, moment {index}."]
        out.append("\n" + "\n".join(body) + "\n")
    return "".join(out)
