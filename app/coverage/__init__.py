"""Read models of the pages that combine domains: what an area holds, a team's work.
It sits above the domains and reads their models; the domains never import it."""
