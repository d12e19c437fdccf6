# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two colors of a blue-green deployment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COLORS = ("blue", "green")
