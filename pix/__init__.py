"""Pix's world, in plain Python: the CRCN referential, Pix's rules and Pix's file formats.

Nothing here imports Django or any module of ours: readers take bytes and return typed rows
with line-numbered errors, writers return bytes. The school's world lives in the Django apps.
"""
