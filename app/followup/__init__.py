"""The cluster at work (issue 17): funded applications become registry projects at publication;
the lead reports, the secretariat reviews, followers record their adoption, and the ex-post report
sets what was promised against what was delivered. docs/followup.md explains the rules."""
