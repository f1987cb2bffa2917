"""The default newsroom taxonomy and how ImageNet's classes map onto it.

`default_tree.txt` is the taxonomy (indentation is hierarchy). Every ImageNet class is mapped
to its most specific taxonomy label, through the concepts of labels/imagenet.py
and a few explicit choices; a class that fits nothing is mapped to None (a raw detection).
The data migration freezes the result as JSON, so later edits here need a new migration.
"""

from __future__ import annotations

from pathlib import Path

from photodesk.labels.imagenet import concepts_of

TREE_FILE = Path(__file__).with_name("default_tree.txt")


def parse_tree(text: str) -> list[dict]:
    """Lines "  name | syn, syn" → [{name, parent, synonyms, depth}] in file order."""
    out: list[dict] = []
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        depth = (len(raw) - len(raw.lstrip(" "))) // 2
        name, _, synonyms = raw.strip().partition("|")
        name = name.strip()
        while stack and stack[-1][0] >= depth:
            stack.pop()
        out.append(
            {
                "name": name,
                "parent": stack[-1][1] if stack else None,
                "synonyms": [s.strip() for s in synonyms.split(",") if s.strip()],
                "depth": depth,
            }
        )
        stack.append((depth, name))
    return out


def default_taxonomy() -> list[dict]:
    return parse_tree(TREE_FILE.read_text())


# ImageNet concept (imagenet_concepts.json, "concepts") → taxonomy label; None: evidence only.
CONCEPT_TO_LABEL: dict[str, str | None] = {
    "fish": "fish", "shark": "shark", "bird": "bird", "chicken poultry": "poultry",
    "duck": "waterbird", "goose": "waterbird", "parrot": "parrot", "bird of prey": "bird of prey",
    "owl": "bird of prey", "waterbird": "waterbird", "penguin": "penguin", "frog": "amphibian",
    "turtle": "turtle", "lizard reptile": "lizard", "crocodile": "crocodile", "dinosaur": None,
    "snake": "snake", "spider": "spider", "insect": "insect", "butterfly": "butterfly",
    "beetle": "insect", "crab": "crab", "lobster": "crab", "shellfish seafood": "crab",
    "sea creature": "marine animal", "whale": "whale", "seal sea lion": "seal", "dog": "dog",
    "puppy": None, "pet": None, "wolf": "wolf", "wild dog": "wolf", "fox": "wolf", "cat": "cat",
    "kitten": None, "big cat": "big cat", "lion": "big cat", "tiger": "big cat", "bear": "bear",
    "rabbit": "rabbit", "rodent": "rodent", "horse": "horse", "zebra": "zebra", "pig": "pig",
    "cow cattle": "cow", "sheep": "sheep", "goat": "goat", "antelope deer": "deer",
    "camel": "camel", "farm animal": None, "monkey ape primate": "monkey",
    "elephant": "elephant", "panda": "bear", "animal": "animals", "mammal": None,
    "wildlife": None, "car": "car", "truck": "truck", "bus": "bus", "train railway": "train",
    "tram streetcar": "tram", "boat ship": "boat", "airplane aircraft": "aircraft",
    "bicycle": "bicycle", "motorcycle": "motorcycle", "vehicle": "vehicle",
    "road traffic": None, "farm tractor machinery": "tractor", "person": None, "man": None,
    "woman": None, "child baby": None, "sports": "sport", "ball game": "sports equipment",
    "baseball": "baseball", "basketball": "basketball", "soccer football": "football",
    "tennis": "tennis", "golf": "golf", "gymnastics": "gymnastics", "boxing": "boxing",
    "weightlifting gym": "weightlifting", "skiing snow sport": "skiing",
    "water sport swimming": "swimming", "musical instrument music": "music", "guitar": "guitar",
    "piano": "piano", "food meal": "food and drink", "fruit": "fruit", "vegetable": "vegetable",
    "dessert": "dessert", "drink beverage": "drink", "kitchen": "kitchen",
    "furniture": "furniture", "bed bedroom": "bedroom", "bathroom": "bathroom",
    "living room": "living room", "office computer": "computer", "phone": "phone",
    "television screen": "screen", "building": "building", "house": "house",
    "church": "church", "shop store": "shop", "street city": None, "bridge": "bridge",
    "fence": None, "sign": "road sign", "tool": "tool", "toy": "toy", "mountain": "mountain",
    "snow winter": None, "beach": "beach", "sea ocean": None, "lake river water": None,
    "grass field": None, "flower": "flower", "tree forest": "tree", "mushroom": "mushroom",
    "sky": None, "camping tent": "tent", "park": "park", "playground": "playground",
    "wedding": "wedding", "party": "celebration",
}  # fmt: skip

# Classes whose best label is more specific than (or different from) their concepts'.
CLASS_OVERRIDES: dict[int, str | None] = {
    468: "taxi", 734: "police car", 751: "race car", 555: "fire engine", 569: "garbage truck",
    864: "tow truck", 407: "ambulance", 779: "school bus", 874: "trolleybus", 829: "tram",
    895: "military aircraft", 847: "military vehicle", 403: "warship", 833: "warship",
    404: "aircraft", 405: "aircraft", 908: "aircraft", 812: "rocket", 744: "rocket",
    657: "weapon", 413: "weapon", 764: "weapon", 763: "weapon", 471: "weapon",
    919: "road sign", 920: "traffic light", 981: "baseball", 982: "bride and groom",
    983: "swimming", 967: "coffee", 504: "coffee", 505: "coffee", 550: "coffee",
    966: "wine", 907: "wine", 440: "beer", 441: "beer", 963: "pizza", 933: "sandwich",
    934: "sandwich", 930: "bread", 931: "bread", 932: "bread", 925: "soup", 926: "soup",
    959: "pasta", 962: "meat", 948: "apple", 954: "banana", 950: "orange", 951: "lemon",
    949: "strawberry", 953: "pineapple", 937: "broccoli", 936: "cabbage", 987: "corn",
    998: "corn", 945: "pepper", 923: "tableware", 968: "tableware", 809: "soup",
    466: "train", 547: "train", 820: "train", 565: "train", 705: "train",
    510: "ship", 628: "ship", 724: "ship", 913: "ship", 780: "sailing boat",
    914: "sailing boat", 484: "sailing boat", 871: "sailing boat", 472: "canoe",
    536: "port", 718: "port", 497: "church", 442: "church", 663: "church", 668: "mosque",
    832: "temple", 483: "castle", 698: "castle", 743: "prison", 624: "library",
    762: "restaurant", 425: "farm building", 873: "monument", 682: "monument",
    649: "monument", 863: "monument", 498: "cinema", 634: "factory", 970: "mountain",
    979: "valley", 980: "volcano", 972: "cliff", 976: "cliff", 977: "beach", 978: "beach",
    975: "lake", 973: "coral reef", 974: "landscape", 984: "field", 620: "computer",
    527: "computer", 590: "computer", 664: "screen", 851: "screen", 782: "screen",
    487: "phone", 528: "phone", 707: "phone", 759: "camera", 732: "camera", 541: "drum",
    889: "violin", 486: "violin", 776: "brass instrument", 875: "brass instrument",
    513: "brass instrument", 566: "brass instrument", 515: "hat", 808: "hat", 452: "hat",
    793: "hat", 439: "hat", 770: "shoes", 774: "shoes", 630: "shoes", 514: "shoes",
    502: "shoes", 652: "uniform", 445: "swimwear", 638: "swimwear", 639: "swimwear",
    842: "swimwear", 409: "clock", 892: "clock", 530: "clock", 531: "clock",
    879: "umbrella", 414: "bag", 748: "bag", 417: "celebration", 557: "flag",
    805: "football", 768: "rugby", 560: "american football", 890: "volleyball",
    722: "table tennis", 575: "golf", 795: "skiing", 796: "skiing", 517: "construction",
    807: "solar panel", 672: "tent", 843: "playground", 703: "park", 607: "celebration",
    711: "fashion", 850: "toy",
}  # fmt: skip


def imagenet_mapping(class_names: list[str]) -> dict[int, str | None]:
    """Every ImageNet class → its most specific taxonomy label, or None (raw detection)."""
    depth = {node["name"]: node["depth"] for node in default_taxonomy()}
    mapping: dict[int, str | None] = {}
    for index in range(len(class_names)):
        if index in CLASS_OVERRIDES:
            mapping[index] = CLASS_OVERRIDES[index]
            continue
        labels = [CONCEPT_TO_LABEL.get(c) for c in concepts_of(index)]
        labels = [label for label in labels if label]
        mapping[index] = max(labels, key=lambda name: depth[name]) if labels else None
    unknown = {name for name in mapping.values() if name and name not in depth}
    if unknown:
        raise ValueError(f"ImageNet mapping names labels not in the taxonomy: {sorted(unknown)}")
    return mapping
