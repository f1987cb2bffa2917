"""Smart crops: where the picture's subject is (its focal region) and crop windows of named
aspect ratios that keep it and never cut a face in half.

`geometry` and `focal` and `saliency` are plain functions on boxes and pixels (no Django);
`store` keeps each image's focal region and `renditions` serves the cropped files.
"""
