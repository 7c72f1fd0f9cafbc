"""Widgets every page shares: tiles, their item model, thumbnails, side column, screen fit."""
