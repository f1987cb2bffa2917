"""How Amazon Rekognition's label names map onto the taxonomy.

Rekognition names its labels in words ("Sports Car", "Person"); a name that equals a
taxonomy label's name or synonym (case-insensitive) needs no entry: labels/rules.py finds it.
This table holds the names that differ ("Sedan" → car) and the ones that must NOT become a
tag although a synonym matches or they are everywhere ("Clothing" would tag fashion on every
photo of a person; "Face", "Head", "Adult" say nothing an editor searches for): None keeps
them as raw detections on the analysis, searchable by meaning, never a tag.

Migration 0008 freezes this as ModelClass rows (model "rekognition"), editable in the admin.
"""

from __future__ import annotations

MODEL = "rekognition"

REKOGNITION_TO_LABEL: dict[str, str | None] = {
    # people
    "Human": "people", "Adult": None, "Male": None, "Female": None, "Face": None,
    "Head": None, "Body Part": None, "Hand": None, "Finger": None, "Skin": None,
    "Smile": None, "Happy": None, "Teen": "child", "Newborn": "baby", "Selfie": "portrait",
    "Audience": "crowd", "Officer": "police", "Police Officer": "police",
    "Military Uniform": "soldier", "Military": "military", "Army": "military",
    "Bride": "bride and groom", "Groom": "bride and groom", "Musician": "musician",
    "Performer": "musician", "Lecture": "speech", "Press Conference": "speech",
    "Crowd": "crowd",
    # clothing: not fashion unless an editor says so
    "Clothing": None, "Apparel": None, "Accessories": None, "Accessory": None, "Shirt": None,
    "T-Shirt": None, "Coat": None, "Jacket": None, "Blazer": None, "Suit": None, "Tie": None,
    "Pants": None, "Jeans": None, "Dress": None, "Sleeve": None, "Glasses": None,
    "Sunglasses": None, "Footwear": "shoes", "Shoe": "shoes", "Sneaker": "shoes",
    # sport
    "Sports": "sport", "Team Sport": "sport", "Team": None, "Soccer": "football",
    "Soccer Ball": "football", "American Football": "american football",
    "Football Helmet": "american football", "Ball": "sports equipment",
    "Tennis Racket": "tennis", "Running": "athletics", "Swimming Pool": "swimming",
    # transport
    "Transportation": "transport", "Automobile": "car", "Sedan": "car", "Sports Car": "car",
    "Coupe": "car", "Convertible": "car", "Suv": "car", "Pickup Truck": "truck",
    "Fire Truck": "fire engine", "Airplane": "aircraft", "Airliner": "aircraft",
    "Jet": "aircraft", "Watercraft": "boat", "Vessel": "ship", "Yacht": "sailing boat",
    "Freeway": "road", "Tarmac": "road", "Intersection": "road", "Wheel": None, "Tire": None,
    "Machine": None, "License Plate": None,
    # places and nature
    "Urban": "city", "Metropolis": "city", "Cityscape": "city", "Town": "city",
    "High Rise": "skyscraper", "Office Building": "office", "Indoors": "interior",
    "Room": "interior", "Outdoors": None, "Shoreline": "beach", "Coast": "beach",
    "Vegetation": "plant", "Cloud": "sky", "Sunlight": None, "Grass": "field",
    "Scenery": "landscape", "Nature": "nature",
    # things, events
    "Art": "arts and culture", "Text": None, "Document": None, "Paper": None, "Word": None,
    "Sign": None, "Symbol": None, "Logo": None, "Banner": None, "Poster": None,
    "Flame": "fire", "Smoke": None, "Cell Phone": "phone", "Mobile Phone": "phone",
    "Canine": "dog", "Feline": "cat", "Mammal": None, "Pet": "pet", "Beverage": "drink",
    "Meal": "food and drink", "Food": "food and drink", "Plate": None, "Furniture": "furniture",
}  # fmt: skip
